package dev.trackstack.importer.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The same MLflow experiments and runs, written as each MLflow store keeps them: an mlruns directory (MLflow's file
 * store layout), the rows of MLflow's SQL schema, and the objects of MLflow's REST API 2.0. Two live experiments
 * and a deleted one, runs of every status, params, user and system tags, a note, multi-step histories with a NaN,
 * a step logged twice, a legacy two-field metric line, and a deleted run.
 */
final class MlflowFixture {

    record Experiment(String id, String name, boolean deleted, Map<String, String> tags) {
    }

    record Metric(String key, long step, double value, long timestamp) {
    }

    /** A run; {@code name} null stands for MLflow's runs without a run_name, named by their mlflow.runName tag. */
    record Run(String id, String experimentId, String name, String status, long start, Long end, boolean deleted,
            Map<String, String> params, Map<String, String> tags, List<Metric> metrics) {

        String runName() {
            return name != null ? name : tags.get("mlflow.runName");
        }
    }

    static final long T0 = 1_700_000_000_000L;

    static final List<Experiment> EXPERIMENTS = List.of(
            new Experiment("0", "Default", false, Map.of()),
            new Experiment("1", "mnist", false, Map.of("mlflow.note.content", "MNIST digits")),
            new Experiment("2", "cifar", false, Map.of()),
            new Experiment("3", "old", true, Map.of()));

    static final String A = "a3c1f0d2b4e64f0e9a1b2c3d4e5f6a70";
    static final String B = "b7d2e1f0a3c54b6d8e9f0a1b2c3d4e51";
    static final String C = "c0ffee00c0ffee00c0ffee00c0ffee02";
    static final String D = "d4e5f6a7b8c94d0e1f2a3b4c5d6e7f83";
    static final String E = "e1e2e3e4e5e64e7e8e9eaebecedeef04";
    static final String F = "f9e8d7c6b5a44f3e2d1c0b9a8f7e6d05";
    static final String G = "a0b0c0d0e0f04a1b1c1d1e1f1a2b2c06";
    static final String H = "b1b2b3b4b5b64b7b8b9babbbcbdbeb07";

    static final List<Run> RUNS = List.of(
            new Run(A, "1", "bold-sheep-1", "FINISHED", T0, T0 + 60_000, false,
                    Map.of("lr", "0.001", "batch_size", "32", "optimizer", "adam", "layers", "[64, 64]",
                            "seed", "-7", "dropout", "1e-1"),
                    Map.of("mlflow.runName", "bold-sheep-1", "mlflow.user", "alice", "mlflow.source.name", "train.py",
                            "mlflow.note.content", "first try\nwith notes", "team", "vision", "data/version", "v2",
                            "baseline", ""),
                    List.of(new Metric("loss", 0, 2.5, T0 + 1000), new Metric("loss", 1, 1.25, T0 + 2000),
                            new Metric("loss", 2, 0.875, T0 + 3000), new Metric("loss", 3, Double.NaN, T0 + 4000),
                            new Metric("loss", 4, 0.5, T0 + 5000), new Metric("loss", 4, 0.25, T0 + 6000),
                            new Metric("val/acc", 0, 0.5, T0 + 1500), new Metric("val/acc", 2, 0.75, T0 + 3500),
                            new Metric("val/acc", 4, 0.875, T0 + 5500))),
            new Run(B, "1", null, "FAILED", T0 + 100_000, T0 + 130_000, false, Map.of("lr", "0.01"),
                    Map.of("mlflow.runName", "calm-fox-2", "mlflow.user", "bob"),
                    List.of(new Metric("loss", 0, 3.0, T0 + 101_000), new Metric("loss", 1, 2.0, T0 + 102_000),
                            new Metric("loss", 2, 1.5, T0 + 103_000))),
            new Run(C, "1", "stopped-3", "KILLED", T0 + 200_000, T0 + 210_000, false, Map.of(),
                    Map.of("mlflow.runName", "stopped-3"), List.of(new Metric("acc", 0, 0.125, T0 + 201_000))),
            new Run(D, "1", "live-4", "RUNNING", T0 + 300_000, null, false, Map.of("lr", "0.1"),
                    Map.of("mlflow.runName", "live-4", "mlflow.user", "alice"),
                    List.of(new Metric("loss", 0, 4.0, T0 + 301_000), new Metric("loss", 1, 3.5, T0 + 302_000))),
            new Run(E, "1", "gone-5", "FINISHED", T0 + 400_000, T0 + 410_000, true, Map.of("lr", "1"),
                    Map.of("mlflow.runName", "gone-5"), List.of(new Metric("loss", 0, 9.0, T0 + 401_000))),
            new Run(F, "2", "resnet", "FINISHED", T0 + 500_000, T0 + 560_000, false,
                    Map.of("arch", "resnet18", "epochs", "90"), Map.of("mlflow.runName", "resnet", "stage", "final"),
                    // accuracy's only line is a legacy one ("timestamp value", step 0) in the file store
                    List.of(new Metric("accuracy", 0, 0.9375, T0 + 550_000), new Metric("loss", 0, 2.25, T0 + 510_000),
                            new Metric("loss", 10, 0.625, T0 + 520_000))),
            new Run(G, "2", "queued-7", "SCHEDULED", T0 + 600_000, null, false, Map.of(),
                    Map.of("mlflow.runName", "queued-7"), List.of()),
            new Run(H, "3", "ancient-8", "FINISHED", T0 - 900_000, T0 - 800_000, false, Map.of(),
                    Map.of("mlflow.runName", "ancient-8"), List.of(new Metric("loss", 0, 5.0, T0 - 850_000))));

    private MlflowFixture() {
    }

    static Experiment experiment(String id) {
        return EXPERIMENTS.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    /** The artifact location of a run in the SQL and REST fixtures: a server's default, mlflow-artifacts:/. */
    static String artifactUri(Run run) {
        return "mlflow-artifacts:/" + run.experimentId() + "/" + run.id() + "/artifacts";
    }

    // --- MLflow's file store: mlruns/<experiment id>/meta.yaml, mlruns/<experiment id>/<run id>/{meta.yaml, params/,
    // tags/, metrics/, artifacts/}, a deleted experiment moved to mlruns/.trash/ ---

    /** Writes the mlruns directory MLflow's file store would have made, as yaml.safe_dump writes meta.yaml. */
    static void writeMlruns(Path mlruns) throws IOException {
        for (Experiment experiment : EXPERIMENTS) {
            Path dir = mlruns.resolve(experiment.deleted() ? ".trash" : "").resolve(experiment.id());
            write(dir.resolve("meta.yaml"), "artifact_location: " + fileUri(mlruns.resolve(experiment.id()))
                    + "\ncreation_time: " + T0 + "\nexperiment_id: '" + experiment.id() + "'\nlast_update_time: " + T0
                    + "\nlifecycle_stage: " + (experiment.deleted() ? "deleted" : "active") + "\nname: "
                    + experiment.name() + "\n");
            for (Map.Entry<String, String> tag : experiment.tags().entrySet()) {
                write(dir.resolve("tags").resolve(tag.getKey()), tag.getValue());
            }
            for (Run run : runsOf(experiment.id())) {
                writeRun(dir.resolve(run.id()), run);
            }
        }
        Files.createDirectories(mlruns.resolve(".trash"));
    }

    static String fileStoreArtifactUri(Path mlruns, Run run) {
        return fileUri(mlruns.resolve(run.experimentId()).resolve(run.id()).resolve("artifacts"));
    }

    private static void writeRun(Path dir, Run run) throws IOException {
        Path mlruns = dir.getParent().getParent();
        // MLflow's RunStatus enum as the file store keeps it: RUNNING 1, SCHEDULED 2, FINISHED 3, FAILED 4, KILLED 5.
        int status = List.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED").indexOf(run.status()) + 1;
        write(dir.resolve("meta.yaml"), "artifact_uri: " + fileStoreArtifactUri(mlruns, run)
                + "\ndeleted_time: " + (run.deleted() ? String.valueOf(run.end() + 1000) : "null")
                + "\nend_time: " + (run.end() == null ? "null" : run.end())
                + "\nentry_point_name: ''\nexperiment_id: '" + run.experimentId() + "'\nlifecycle_stage: "
                + (run.deleted() ? "deleted" : "active") + "\nrun_id: " + run.id() + "\nrun_name: "
                + (run.name() == null ? "''" : run.name()) + "\nrun_uuid: " + run.id()
                + "\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: " + run.start() + "\nstatus: "
                + status + "\ntags: []\nuser_id: " + run.tags().getOrDefault("mlflow.user", "unknown") + "\n");
        Files.createDirectories(dir.resolve("artifacts"));
        Files.createDirectories(dir.resolve("params"));
        Files.createDirectories(dir.resolve("metrics"));
        for (Map.Entry<String, String> param : run.params().entrySet()) {
            write(dir.resolve("params").resolve(param.getKey()), param.getValue());
        }
        for (Map.Entry<String, String> tag : run.tags().entrySet()) {
            write(dir.resolve("tags").resolve(tag.getKey()), tag.getValue());
        }
        Map<String, List<Metric>> byKey = run.metrics().stream()
                .collect(Collectors.groupingBy(Metric::key, TreeMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Metric>> metric : byKey.entrySet()) {
            StringBuilder lines = new StringBuilder();
            for (Metric point : metric.getValue()) {
                // "<timestamp> <value> <step>", the value as Python prints a float; F's accuracy as MLflow < 1.0 wrote it.
                lines.append(point.timestamp()).append(' ').append(pythonFloat(point.value()));
                if (!(run.id().equals(F) && point.key().equals("accuracy"))) {
                    lines.append(' ').append(point.step());
                }
                lines.append('\n');
            }
            write(dir.resolve("metrics").resolve(metric.getKey()), lines.toString());
        }
    }

    /** Python's str() of the fixture's floats (which Java's Double.toString prints the same way), nan as "nan". */
    private static String pythonFloat(double value) {
        return Double.isNaN(value) ? "nan" : Double.toString(value);
    }

    private static String fileUri(Path path) {
        return path.toAbsolutePath().toUri().toString().replaceAll("/$", "");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    // --- MLflow's SQL store: the tables of mlflow-tracking-schema-<dialect>.sql, filled as MLflow's SqlAlchemyStore
    // fills them (NaN as value 0 with is_nan set; latest_metrics beside metrics) ---

    /** Creates MLflow's tracking tables (the test resource for the dialect) and fills them with the fixture. */
    static void fillDatabase(Connection connection, String dialect) throws IOException, SQLException {
        try (InputStream in = MlflowFixture.class.getResourceAsStream("/mlflow/mlflow-tracking-schema-" + dialect
                + ".sql"); Statement statement = connection.createStatement()) {
            for (String ddl : new String(in.readAllBytes(), StandardCharsets.UTF_8).split(";")) {
                if (!ddl.replaceAll("--[^\n]*", "").isBlank()) {
                    statement.execute(ddl);
                }
            }
        }
        for (Experiment experiment : EXPERIMENTS) {
            insert(connection, "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
                    + "creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)", Integer.valueOf(experiment.id()),
                    experiment.name(), "mlflow-artifacts:/" + experiment.id(),
                    experiment.deleted() ? "deleted" : "active", T0, T0);
            for (Map.Entry<String, String> tag : experiment.tags().entrySet()) {
                insert(connection, "INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?)",
                        tag.getKey(), tag.getValue(), Integer.valueOf(experiment.id()));
            }
        }
        for (Run run : RUNS) {
            insert(connection, "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, "
                    + "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, "
                    + "deleted_time) VALUES (?, ?, 'LOCAL', '', '', ?, ?, ?, ?, '', ?, ?, ?, ?)", run.id(), run.name(),
                    run.tags().get("mlflow.user"), run.status(), run.start(), run.end(),
                    run.deleted() ? "deleted" : "active", artifactUri(run), Integer.valueOf(run.experimentId()),
                    run.deleted() ? run.end() + 1000 : null);
            for (Map.Entry<String, String> param : run.params().entrySet()) {
                insert(connection, "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)", param.getKey(),
                        param.getValue(), run.id());
            }
            for (Map.Entry<String, String> tag : run.tags().entrySet()) {
                insert(connection, "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)", tag.getKey(),
                        tag.getValue(), run.id());
            }
            Map<String, Metric> latest = new TreeMap<>();
            for (Metric metric : run.metrics()) {
                insertMetric(connection, "metrics", run, metric);
                latest.merge(metric.key(), metric, (a, b) -> Comparator.comparingLong(Metric::step)
                        .thenComparingLong(Metric::timestamp).compare(a, b) >= 0 ? a : b);
            }
            for (Metric metric : latest.values()) {
                insertMetric(connection, "latest_metrics", run, metric);
            }
        }
    }

    private static void insertMetric(Connection connection, String table, Run run, Metric metric) throws SQLException {
        boolean nan = Double.isNaN(metric.value());
        insert(connection, "INSERT INTO " + table + " (key, value, timestamp, step, is_nan, run_uuid) VALUES "
                + "(?, ?, ?, ?, ?, ?)", metric.key(), nan ? 0.0 : metric.value(), metric.timestamp(), metric.step(),
                nan, run.id());
    }

    private static void insert(Connection connection, String sql, Object... values) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }

    // --- MLflow's REST API 2.0 objects (Experiment, Run {info, data}, Metric) ---

    static Map<String, Object> experimentJson(Experiment experiment) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment_id", experiment.id());
        json.put("name", experiment.name());
        json.put("artifact_location", "mlflow-artifacts:/" + experiment.id());
        json.put("lifecycle_stage", experiment.deleted() ? "deleted" : "active");
        json.put("last_update_time", T0);
        json.put("creation_time", T0);
        json.put("tags", pairs(experiment.tags()));
        return json;
    }

    /** A run as runs/search answers it: data.metrics holds each metric's latest value only. */
    static Map<String, Object> runJson(Run run) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("run_id", run.id());
        info.put("run_uuid", run.id());
        info.put("run_name", run.runName());
        info.put("experiment_id", run.experimentId());
        info.put("user_id", run.tags().getOrDefault("mlflow.user", ""));
        info.put("status", run.status());
        info.put("start_time", run.start());
        if (run.end() != null) {
            info.put("end_time", run.end());
        }
        info.put("artifact_uri", artifactUri(run));
        info.put("lifecycle_stage", run.deleted() ? "deleted" : "active");
        Map<String, Metric> latest = new TreeMap<>();
        run.metrics().forEach(metric -> latest.put(metric.key(), metric));
        List<Object> metrics = new ArrayList<>();
        latest.values().forEach(metric -> metrics.add(metricJson(metric)));
        return Map.of("info", info, "data", Map.of("metrics", metrics, "params", pairs(run.params()),
                "tags", pairs(run.tags())), "inputs", Map.of());
    }

    /** A Metric object; NaN as protobuf's JSON writes it, the string "NaN". */
    static Map<String, Object> metricJson(Metric metric) {
        return Map.of("key", metric.key(), "value", Double.isNaN(metric.value()) ? "NaN" : metric.value(),
                "timestamp", metric.timestamp(), "step", metric.step());
    }

    private static List<Map<String, String>> pairs(Map<String, String> values) {
        return new TreeMap<>(values).entrySet().stream()
                .map(entry -> Map.of("key", entry.getKey(), "value", entry.getValue())).toList();
    }

    static List<Run> runsOf(String experimentId) {
        return RUNS.stream().filter(run -> run.experimentId().equals(experimentId)).toList();
    }
}
