package dev.trackstack.importer.mlflow;

import static dev.trackstack.importer.mlflow.MlflowFixture.A;
import static dev.trackstack.importer.mlflow.MlflowFixture.B;
import static dev.trackstack.importer.mlflow.MlflowFixture.C;
import static dev.trackstack.importer.mlflow.MlflowFixture.D;
import static dev.trackstack.importer.mlflow.MlflowFixture.E;
import static dev.trackstack.importer.mlflow.MlflowFixture.F;
import static dev.trackstack.importer.mlflow.MlflowFixture.G;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import dev.trackstack.ApiTest;
import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MLflow reader against the same runs kept by each MLflow store: an mlruns directory, a SQLite and a PostgreSQL
 * database with MLflow's schema, and a stand-in for an MLflow server; every run, param, tag and point compared.
 */
class MlflowImportTests extends ApiTest {

    private static final String DELETED = "experiment 3 (old): deleted in MLflow, not imported";

    @Autowired
    private MlflowReader reader;

    @Autowired
    private JsonMapper json;

    @TempDir
    private Path dir;

    @Test
    void shouldReadAnMlrunsDirectory() throws IOException {
        Path mlruns = dir.resolve("mlruns");
        MlflowFixture.writeMlruns(mlruns);

        CollectingSink sink = read(mlruns.toString(), null);

        assertImported(sink, "experiment 3 (old): in .trash (deleted in MLflow), not imported",
                run -> MlflowFixture.fileStoreArtifactUri(mlruns, run));
    }

    @Test
    void shouldReadAnMlflowSqliteDatabaseByPathAndUrl() throws Exception {
        Path file = dir.resolve("mlflow.db");
        try (Connection connection = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file, new Properties())) {
            MlflowFixture.fillDatabase(connection, "sqlite");
        }

        assertImported(read(file.toString(), null), DELETED, MlflowFixture::artifactUri);
        assertImported(read("sqlite:///" + file.toAbsolutePath(), null), DELETED, MlflowFixture::artifactUri);
    }

    @Test
    void shouldReadAnMlflowPostgresqlDatabaseByUrl() throws Exception {
        String database = "mlflow_" + UUID.randomUUID().toString().replace("-", "");
        jdbc.execute("CREATE DATABASE " + database);
        String[] settings = sameDatabase();
        Matcher server = Pattern.compile("jdbc:postgresql://([^/]+)/").matcher(settings[0]);
        assertThat(server.find()).isTrue();
        String user = settings[1].substring(settings[1].indexOf('=') + 1);
        String password = settings[2].substring(settings[2].indexOf('=') + 1);
        String jdbcUrl = "jdbc:postgresql://" + server.group(1) + "/" + database;
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        try (Connection connection = new org.postgresql.Driver().connect(jdbcUrl, credentials)) {
            MlflowFixture.fillDatabase(connection, "postgresql");
        }

        assertImported(read("postgresql://" + user + ":" + password + "@" + server.group(1) + "/" + database, null),
                DELETED, MlflowFixture::artifactUri);
        assertImported(read("postgresql+psycopg2://" + user + "@" + server.group(1) + "/" + database, password),
                DELETED, MlflowFixture::artifactUri);
        assertImported(read(jdbcUrl + "?user=" + user + "&password=" + password, null), DELETED,
                MlflowFixture::artifactUri);
        assertThatThrownBy(() -> read("postgresql://" + user + ":wrong@" + server.group(1) + "/" + database, null))
                .isInstanceOf(ImportException.class).hasMessageStartingWith("Cannot open the PostgreSQL database "
                        + server.group(1) + "/" + database + ": ");
    }

    @Test
    void shouldReadAnMlflowServerStandInPageByPage() throws IOException {
        try (MlflowServerStandIn server = new MlflowServerStandIn(json, null)) {
            assertImported(read(server.url(), null), DELETED, MlflowFixture::artifactUri);
            // 4 experiments in pages of 2; loss of run A (6 points) in 3 pages
            assertThat(server.requests.get("experiments/search")).isEqualTo(2);
            assertThat(server.requests.get("metrics/get-history")).isGreaterThan(MlflowFixture.RUNS.size());
        }
    }

    @Test
    void shouldSendTheApiKeyAsBearerToken() throws IOException {
        try (MlflowServerStandIn server = new MlflowServerStandIn(json, "s3cret")) {
            assertImported(read(server.url() + "/", "s3cret"), DELETED, MlflowFixture::artifactUri);
            assertThatThrownBy(() -> read(server.url(), null)).isInstanceOf(ImportException.class).hasMessage(
                    "The MLflow server at " + server.url() + " refused to answer without a token (HTTP 401): give one "
                            + "as apiKey.");
            assertThatThrownBy(() -> read(server.url(), "wrong")).isInstanceOf(ImportException.class).hasMessage(
                    "The MLflow server at " + server.url() + " refused the token given as apiKey (HTTP 401).");
        }
    }

    @Test
    void shouldRefuseSourcesItCannotReadInOneSentence() throws Exception {
        Path missing = dir.resolve("nothing-here");
        assertRefused(missing.toString(), "There is no file or directory " + missing + " on the server.");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertRefused(empty.toString(), empty + " is not an MLflow mlruns directory: it has no <experiment id>/"
                + "meta.yaml.");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a database");
        assertRefused(text.toString(), text + " is neither an mlruns directory nor a SQLite database.");
        Path otherDatabase = dir.resolve("other.db");
        try (Connection connection = new org.sqlite.JDBC().connect("jdbc:sqlite:" + otherDatabase, new Properties())) {
            connection.createStatement().execute("CREATE TABLE experiments (experiment_id INTEGER)");
        }
        assertRefused("sqlite:///" + otherDatabase, "The SQLite database " + otherDatabase + " is not an MLflow "
                + "tracking database: it has no table experiment_tags.");
        assertRefused("s3://bucket/mlruns", "An MLflow source is an mlruns directory, a SQLite file, a sqlite:///, "
                + "postgresql:// or http(s):// URL, not s3://.");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> read("http://127.0.0.1:" + closedPort, null)).isInstanceOf(ImportException.class)
                .hasMessageStartingWith("Cannot reach the MLflow server at http://127.0.0.1:" + closedPort + ": ");
        HttpServer notMlflow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notMlflow.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        notMlflow.start();
        try {
            String url = "http://127.0.0.1:" + notMlflow.getAddress().getPort();
            assertRefused(url, url + " is not an MLflow server: experiments/search answered HTTP 404 with no JSON.");
        } finally {
            notMlflow.stop(0);
        }
    }

    private void assertRefused(String source, String message) {
        assertThatThrownBy(() -> read(source, null)).isInstanceOf(ImportException.class).hasMessage(message);
    }

    private CollectingSink read(String source, String apiKey) throws IOException {
        CollectingSink sink = new CollectingSink();
        reader.read(new ImportSource(source, apiKey), sink);
        return sink;
    }

    /** Every run the fixture's stores hold, except the deleted ones, with its params, tags, points and end. */
    private static void assertImported(CollectingSink sink, String deletedExperiment,
            Function<MlflowFixture.Run, String> artifacts) {
        assertThat(sink.runs).containsExactly(
                imported(A, "bold-sheep-1", Map.of("lr", 0.001, "batch_size", 32L, "optimizer", "adam",
                        "layers", "[64, 64]", "seed", -7L, "dropout", 0.1),
                        List.of("baseline", "data/version=v2", "team=vision"), "first try\nwith notes"),
                imported(B, "calm-fox-2", Map.of("lr", 0.01), List.of(), null),
                imported(C, "stopped-3", Map.of(), List.of(), null),
                imported(D, "live-4", Map.of("lr", 0.1), List.of(), null),
                imported(F, "resnet", Map.of("arch", "resnet18", "epochs", 90L), List.of("stage=final"), null),
                imported(G, "queued-7", Map.of(), List.of(), null));
        for (ImportedRun run : sink.runs) {
            List<MetricPointInput> expected = new ArrayList<>();
            for (MlflowFixture.Metric metric : run(run.key()).metrics()) {
                expected.add(new MetricPointInput(metric.key(), null, metric.step(), metric.value(),
                        OffsetDateTime.ofInstant(Instant.ofEpochMilli(metric.timestamp()), ZoneOffset.UTC)));
            }
            assertThat(sink.points.get(run.key())).as("points of run %s", run.key()).isEqualTo(expected);
        }
        assertThat(sink.finishes).isEqualTo(Map.of(
                A, finish(RunStatus.COMPLETED, A), B, finish(RunStatus.FAILED, B), C, finish(RunStatus.FAILED, C),
                F, finish(RunStatus.COMPLETED, F)));
        assertThat(sink.unmapped).containsExactly(
                "experiment 1 (mnist): 1 experiment tag not imported",
                "run " + A + ", metric loss: 1 value logged at a step it already had; Trackstack keeps the first value "
                        + "of each step",
                "run " + A + ": artifacts at " + artifacts.apply(run(A)) + " not imported",
                "run " + B + ": artifacts at " + artifacts.apply(run(B)) + " not imported",
                "run " + C + ": artifacts at " + artifacts.apply(run(C)) + " not imported",
                "run " + D + ": artifacts at " + artifacts.apply(run(D)) + " not imported",
                "run " + D + ": RUNNING in MLflow, left RUNNING",
                "run " + E + " (gone-5): deleted in MLflow, not imported",
                "run " + F + ": artifacts at " + artifacts.apply(run(F)) + " not imported",
                "run " + G + ": artifacts at " + artifacts.apply(run(G)) + " not imported",
                "run " + G + ": SCHEDULED in MLflow, left RUNNING",
                deletedExperiment,
                "tag mlflow.source.name on 1 run: MLflow's own, not imported",
                "tag mlflow.user on 3 runs: MLflow's own, not imported");
    }

    private static ImportedRun imported(String id, String name, Map<String, Object> hyperparameters, List<String> tags,
            String notes) {
        MlflowFixture.Run run = run(id);
        return new ImportedRun(id, MlflowFixture.experiment(run.experimentId()).name(), name, hyperparameters, tags,
                notes, Instant.ofEpochMilli(run.start()));
    }

    private static CollectingSink.Finish finish(RunStatus status, String id) {
        return new CollectingSink.Finish(status, Instant.ofEpochMilli(run(id).end()));
    }

    private static MlflowFixture.Run run(String id) {
        return MlflowFixture.RUNS.stream().filter(run -> run.id().equals(id)).findFirst().orElseThrow();
    }
}
