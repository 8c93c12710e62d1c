package dev.trackstack.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import dev.trackstack.ApiTest;
import dev.trackstack.TrackstackApplication;
import dev.trackstack.artifact.ArtifactHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code backup} and {@code restore} on the test server's embedded database while it runs, and the restored data
 * directory opened by a second server; backups refused for what they are or where they would go.
 */
class BackupTests extends ApiTest {

    private static final String LOG_ARTIFACT = """
            mutation($input: LogArtifactInput!) { logArtifact(input: $input) { created } }""";

    @Value("${trackstack.data-dir}")
    private Path dataDir;

    @TempDir
    private Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void show() {
        System.out.print(out.toString(StandardCharsets.UTF_8));
        System.out.print(err.toString(StandardCharsets.UTF_8));
    }

    private int run(String command, Path file, String... settings) {
        out.reset();
        err.reset();
        String[] args = Stream.concat(Stream.of(command, file.toString()), Stream.of(settings)).toArray(String[]::new);
        return BackupCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void shouldRestoreEveryRunPointAndArtifactOfABackupTakenWhileAWriterLogs() throws Exception {
        String model = createModel("model");
        String finished = createRun(model, "finished", Map.of("lr", 0.001), List.of("baseline"));
        List<Map<String, Object>> points = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            Object value = switch (step % 700) {
                case 7 -> "NaN";
                case 8 -> "Infinity";
                case 9 -> "-Infinity";
                default -> Math.sin(step / 10.0) + step * 1e-7;
            };
            points.add(point("loss", "train", step, value));
            points.add(point("accuracy", null, step, step / 3000.0));
        }
        for (int from = 0; from < points.size(); from += 2000) {
            logMetrics(finished, points.subList(from, from + 2000), null).path("logMetrics.accepted")
                    .entity(Integer.class).isEqualTo(2000);
        }
        byte[] weights = new byte[200_000];
        new Random(7).nextBytes(weights);
        String sha256 = new ArtifactHttp(port, null).upload(project, weights);
        graphQl.document(LOG_ARTIFACT).variable("input", Map.of("project", project, "name", "weights", "type",
                "model", "runId", finished, "files", List.of(Map.of("path", "model.pt", "size", weights.length,
                        "sha256", sha256)))).execute().path("logArtifact.created").entity(Boolean.class).isEqualTo(true);

        // A writer logs batches of 50 steps (values equal to their steps) for as long as the backup runs.
        String live = createRun(model, "live", Map.of(), List.of());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger batches = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                int batch = batches.get();
                List<Map<String, Object>> some = new ArrayList<>();
                for (int step = batch * 50; step < batch * 50 + 50; step++) {
                    some.add(point("live", null, step, (double) step));
                }
                logMetrics(live, some, "batch-" + batch).path("logMetrics.accepted").entity(Integer.class)
                        .isEqualTo(50);
                batches.incrementAndGet();
            }
        });
        writer.start();
        while (batches.get() < 3 && writer.isAlive()) {
            Thread.sleep(10);
        }
        int before = batches.get();
        Path file = work.resolve("trackstack.backup");
        assertThat(run("backup", file, "--trackstack.data-dir=" + dataDir)).as(errors()).isZero();
        int after = batches.get();
        stop.set(true);
        writer.join(30_000);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Backed up ").contains(" artifact files of the "
                + "data directory " + dataDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        Path restoredDir = work.resolve("restored");
        assertThat(run("restore", file, "--trackstack.data-dir=" + restoredDir)).as(errors()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Restored ");
        // With no server on the directory, backup starts its database itself; the same rows come back out.
        Path again = work.resolve("again.backup");
        assertThat(run("backup", again, "--trackstack.data-dir=" + restoredDir)).as(errors()).isZero();
        assertThat(manifest(again).tables()).isEqualTo(manifest(file).tables());

        try (ConfigurableApplicationContext restored = new SpringApplication(TrackstackApplication.class)
                .run("--server.port=0", "--trackstack.data-dir=" + restoredDir)) {
            int restoredPort = ((WebServerApplicationContext) restored).getWebServer().getPort();
            HttpGraphQlTester there = HttpGraphQlTester.create(WebTestClient.bindToServer(new JdkClientHttpConnector())
                    .baseUrl("http://localhost:" + restoredPort + "/graphql").responseTimeout(Duration.ofSeconds(60))
                    .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build());

            for (int maxPoints : new int[] {100, 6000}) {
                assertThat(series(there, finished, maxPoints)).as("series at " + maxPoints + " points")
                        .isEqualTo(series(graphQl, finished, maxPoints));
            }
            List<?> all = series(there, finished, 6000);
            assertThat(all.toString()).contains("value=NaN").contains("value=Infinity").contains("value=-Infinity");
            String run = "query($id: ID!) { run(id: $id) { name status hyperparameters tags summaries { name last min "
                    + "max } } }";
            assertThat(there.document(run).variable("id", finished).execute().path("run").entity(Map.class).get())
                    .isEqualTo(graphQl.document(run).variable("id", finished).execute().path("run").entity(Map.class)
                            .get());

            // The live run as the snapshot saw it: whole batches, from the first on.
            Map<?, ?> liveSeries = (Map<?, ?>) series(there, live, 10_000).get(0);
            List<?> livePoints = (List<?>) liveSeries.get("points");
            assertThat(livePoints.size()).isBetween(before * 50, after * 50).matches(n -> n % 50 == 0, "whole batches");
            for (int i = 0; i < livePoints.size(); i++) {
                Map<?, ?> point = (Map<?, ?>) livePoints.get(i);
                assertThat(((Number) point.get("step")).intValue()).isEqualTo(i);
                assertThat(((Number) point.get("value")).doubleValue()).isEqualTo(i);
            }

            HttpResponse<byte[]> download = HTTP.send(new ArtifactHttp(restoredPort, null)
                    .request("/api/v1/projects/" + project + "/blobs/" + sha256).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(weights);

            // Ids go on after the restored ones.
            String next = there.documentName("createModel").variable("project", project).variable("name", "new")
                    .execute().path("createModel.id").entity(String.class).get();
            assertThat(Long.parseLong(next)).isGreaterThan(Long.parseLong(model));
        }
    }

    /**
     * A failed restore leaves no data: a data directory it set up is emptied again, and another PostgreSQL (a new
     * database of the test server's) keeps only empty tables, into which the restore may be run again.
     */
    @Test
    void shouldRestoreNothingFromADamagedBackup() throws Exception {
        Path file = work.resolve("trackstack.backup");
        logMetrics(createRun(), List.of(point("loss", null, 0, 1.0), point("loss", null, 1, 0.5)), null);
        assertThat(run("backup", file, "--trackstack.data-dir=" + dataDir)).as(errors()).isZero();
        // The points' entry loses its last row.
        Path damaged = work.resolve("damaged.backup");
        try (ZipFile zip = new ZipFile(file.toFile());
                ZipOutputStream copy = new ZipOutputStream(Files.newOutputStream(damaged))) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                byte[] bytes = zip.getInputStream(entry).readAllBytes();
                if (entry.getName().equals("tables/metric_point")) {
                    String rows = new String(bytes, StandardCharsets.UTF_8);
                    bytes = rows.substring(0, rows.lastIndexOf('\n', rows.length() - 2) + 1)
                            .getBytes(StandardCharsets.UTF_8);
                }
                copy.putNextEntry(new ZipEntry(entry.getName()));
                copy.write(bytes);
                copy.closeEntry();
            }
        }
        // Into an empty data directory (say, a mount point): emptied again, not removed.
        Path empty = Files.createDirectory(work.resolve("empty"));
        assertThat(run("restore", damaged, "--trackstack.data-dir=" + empty)).isEqualTo(1);
        assertThat(errors()).endsWith("; nothing was restored.");
        assertThat(empty).isEmptyDirectory();

        String database = "restore_" + UUID.randomUUID().toString().replace("-", "");
        jdbc.execute("create database " + database);
        String[] target = sameDatabase();
        target[0] = target[0].replaceFirst("/postgres$", "/" + database);

        assertThat(run("restore", damaged, target)).isEqualTo(1);
        assertThat(errors()).matches("restore failed: " + damaged + " is damaged: the table metric_point has \\d+ "
                + "rows instead of \\d+; nothing was restored\\.");
        assertThat(run("restore", file, target)).as(errors()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("into the database " + target[0].substring(
                "--spring.datasource.url=".length()));
    }

    @Test
    void shouldRefuseWhatIsNotABackupOrIsFromANewerTrackstack() throws Exception {
        Path target = work.resolve("target");
        Path garbage = work.resolve("garbage.backup");
        Files.write(garbage, new byte[] {1, 2, 3, 4});
        assertThat(run("restore", garbage, "--trackstack.data-dir=" + target)).isEqualTo(1);
        assertThat(errors()).startsWith("restore failed: " + garbage + " is not a Trackstack backup: it is not a zip "
                + "file");

        Path newerFormat = backupFile(Map.of("format", "trackstack-backup", "formatVersion", 2,
                "trackstackVersion", "9.0.0"));
        assertThat(run("restore", newerFormat, "--trackstack.data-dir=" + target)).isEqualTo(1);
        assertThat(errors()).matches("restore failed: " + newerFormat + " was written by Trackstack 9\\.0\\.0 in "
                + "backup format 2, newer than this Trackstack \\(.+\\) reads: restore it with Trackstack 9\\.0\\.0 "
                + "or later\\.");
        assertThat(target).doesNotExist();

        Path newerSchema = backupFile(Map.of("format", "trackstack-backup", "formatVersion", 1, "trackstackVersion",
                "9.0.0", "schemaVersion", "999", "tables", List.of(), "blobs", 0));
        assertThat(run("restore", newerSchema, sameDatabase())).isEqualTo(1);
        assertThat(errors()).matches("restore failed: " + newerSchema + " holds the database of Trackstack 9\\.0\\.0 "
                + "\\(schema version 999\\), newer than this Trackstack \\(.+, schema version \\d+\\) knows: restore "
                + "it with Trackstack 9\\.0\\.0 or later\\.");
    }

    @Test
    void shouldRefuseToRestoreIntoADatabaseWithData() throws Exception {
        createRun();
        String schema = jdbc.queryForObject("select max(version::int) from flyway_schema_history", String.class);
        Path file = backupFile(Map.of("format", "trackstack-backup", "formatVersion", 1, "trackstackVersion", "0.1.0",
                "schemaVersion", schema, "tables", List.of(), "blobs", 0));

        assertThat(run("restore", file, "--trackstack.data-dir=" + dataDir)).isEqualTo(1);
        assertThat(errors()).isEqualTo("restore failed: A Trackstack server runs on the data directory " + dataDir
                + ": restore into a new data directory (--trackstack.data-dir), or stop the server first.");

        assertThat(run("restore", file, sameDatabase())).isEqualTo(1);
        assertThat(errors()).matches("restore failed: the database jdbc:postgresql://.* already holds data \\(\\d+ "
                + "projects, \\d+ API tokens\\): restore into a new data directory \\(--trackstack.data-dir\\) or a "
                + "new, empty database\\.");
        assertThat(dataDir.resolve("PG_VERSION")).exists();
    }

    private List<?> series(HttpGraphQlTester tester, String runId, int maxPoints) {
        return tester.documentName("series").variable("runIds", List.of(runId)).variable("maxPoints", maxPoints)
                .execute().path("series").entity(List.class).get();
    }

    private static BackupManifest manifest(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return Backup.JSON.readValue(zip.getInputStream(zip.getEntry(BackupManifest.ENTRY)), BackupManifest.class);
        }
    }

    /** A backup file holding only this manifest. */
    private Path backupFile(Map<String, Object> manifest) throws IOException {
        Path file = Files.createTempFile(work, "made", ".backup");
        try (OutputStream bytes = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(BackupManifest.ENTRY));
            zip.write(Backup.JSON.writeValueAsBytes(manifest));
            zip.closeEntry();
        }
        return file;
    }
}
