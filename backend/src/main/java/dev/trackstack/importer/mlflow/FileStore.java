package dev.trackstack.importer.mlflow;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import dev.trackstack.importer.ImportException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * MLflow's file store, an {@code mlruns} directory: {@code <experiment id>/meta.yaml}, {@code <experiment id>/<run
 * id>/meta.yaml} with {@code params/}, {@code tags/} and {@code metrics/} (one file per key, a key's "/" making
 * subdirectories; metric lines "timestamp value step"), deleted experiments in {@code .trash/}.
 */
final class FileStore implements MlflowStore {

    private static final String META = "meta.yaml";
    private static final String TRASH = ".trash";
    /** The model registry's folder beside the experiments. */
    private static final String REGISTRY = "models";
    /** Folders of an experiment that are not runs (MLflow's RESERVED_EXPERIMENT_FOLDERS, and MLflow 3's models). */
    private static final Set<String> NOT_RUNS = Set.of("tags", "datasets", "traces", "models");
    /** The run statuses of MLflow's protobuf enum RunStatus, as the file store writes them. */
    private static final Map<Integer, String> STATUSES = Map.of(1, "RUNNING", 2, "SCHEDULED", 3, "FINISHED",
            4, "FAILED", 5, "KILLED");

    private final Path root;

    FileStore(Path root) {
        this.root = root;
    }

    @Override
    public void read(MlflowImport target) throws IOException {
        List<Path> experimentDirs = children(root).stream().filter(dir -> Files.isRegularFile(dir.resolve(META)))
                .toList();
        Path trash = root.resolve(TRASH);
        if (experimentDirs.isEmpty() && !Files.isDirectory(trash)) {
            throw new ImportException(root + " is not an MLflow mlruns directory: it has no <experiment id>/" + META
                    + ".");
        }
        List<MlflowRun.Experiment> experiments = new ArrayList<>();
        Map<MlflowRun.Experiment, Path> dirs = new HashMap<>();
        for (Path dir : experimentDirs) {
            MlflowRun.Experiment experiment = experiment(dir);
            experiments.add(experiment);
            dirs.put(experiment, dir);
        }
        experiments.sort(MlflowRun.Experiment.ORDER);
        for (MlflowRun.Experiment experiment : experiments) {
            if (experiment.deleted()) {
                target.skip(experiment, "deleted in MLflow");
            } else {
                read(experiment, dirs.get(experiment), target);
            }
        }
        if (Files.isDirectory(trash)) {
            for (Path dir : children(trash)) {
                if (Files.isRegularFile(dir.resolve(META))) {
                    target.skip(experiment(dir), "in " + TRASH + " (deleted in MLflow)");
                }
            }
        }
        if (Files.isDirectory(root.resolve(REGISTRY))) {
            target.unmapped(REGISTRY + "/: MLflow's model registry, not imported");
        }
    }

    private void read(MlflowRun.Experiment experiment, Path dir, MlflowImport target) throws IOException {
        target.experiment(experiment);
        List<MlflowRun> runs = new ArrayList<>();
        Map<String, Path> runDirs = new HashMap<>();
        for (Path child : children(dir)) {
            String name = child.getFileName().toString();
            if (NOT_RUNS.contains(name)) {
                if (!name.equals("tags") && !children(child).isEmpty()) {
                    target.unmapped("experiment " + experiment.id() + " (" + experiment.name() + "): " + name
                            + "/ not imported");
                }
            } else if (Files.isRegularFile(child.resolve(META))) {
                MlflowRun run = run(child);
                runs.add(run);
                runDirs.put(run.id(), child);
            }
        }
        runs.sort(MlflowRun.ORDER);
        for (MlflowRun run : runs) {
            target.run(experiment, run, points -> metrics(runDirs.get(run.id()), run.id(), target, points));
        }
    }

    private MlflowRun.Experiment experiment(Path dir) throws IOException {
        Map<?, ?> meta = yaml(dir.resolve(META));
        String id = text(meta.get("experiment_id"), dir.getFileName().toString());
        return new MlflowRun.Experiment(id, text(meta.get("name"), id), "deleted".equals(meta.get("lifecycle_stage")),
                files(dir.resolve("tags")).size());
    }

    private MlflowRun run(Path dir) throws IOException {
        Map<?, ?> meta = yaml(dir.resolve(META));
        Object status = meta.get("status");
        return new MlflowRun(text(meta.get("run_id"), text(meta.get("run_uuid"), dir.getFileName().toString())),
                text(meta.get("run_name"), null),
                status instanceof Integer code ? STATUSES.getOrDefault(code, "RUNNING") : text(status, "RUNNING"),
                millis(meta.get("start_time")), millis(meta.get("end_time")),
                "deleted".equals(meta.get("lifecycle_stage")), text(meta.get("artifact_uri"), null),
                values(dir.resolve("params")), values(dir.resolve("tags")));
    }

    private static void metrics(Path runDir, String runId, MlflowImport target, MlflowImport.Points points)
            throws IOException {
        Path metrics = runDir.resolve("metrics");
        for (String key : files(metrics)) {
            int malformed = 0;
            try (BufferedReader lines = Files.newBufferedReader(metrics.resolve(key), StandardCharsets.UTF_8)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    // "timestamp value step"; lines of MLflow before steps have no step: step 0, as MLflow reads them.
                    String[] fields = line.strip().split(" ");
                    try {
                        if (fields.length != 2 && fields.length != 3) {
                            throw new NumberFormatException();
                        }
                        points.add(key, fields.length == 3 ? Long.parseLong(fields[2]) : 0,
                                MlflowImport.value(fields[1]), Long.parseLong(fields[0]));
                    } catch (NumberFormatException e) {
                        malformed++;
                    }
                }
            }
            if (malformed > 0) {
                target.unmapped("run " + runId + ", metric " + key + ": " + malformed + " malformed lines skipped");
            }
        }
    }

    /** The files under a folder (params/, tags/), keyed by their path below it with "/" as MLflow's keys have. */
    private static Map<String, String> values(Path dir) throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String key : files(dir)) {
            values.put(key, Files.readString(dir.resolve(key), StandardCharsets.UTF_8));
        }
        return values;
    }

    /** Paths of the files below a folder, relative to it with "/" separators, sorted; none when it is missing. */
    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .map(file -> dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"))
                    .sorted().toList();
        }
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).sorted().toList();
        }
    }

    private static Map<?, ?> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object meta = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            if (!(meta instanceof Map<?, ?> map)) {
                throw new ImportException(file + " is not an MLflow " + META + ": it holds no fields.");
            }
            return map;
        } catch (YAMLException e) {
            throw new ImportException(file + " is not readable YAML: " + e.getMessage().lines().findFirst()
                    .orElse("") + ".");
        }
    }

    private static String text(Object value, String otherwise) {
        return value == null ? otherwise : value.toString();
    }

    private static Long millis(Object value) {
        return value instanceof Number number ? number.longValue() : null;
    }
}
