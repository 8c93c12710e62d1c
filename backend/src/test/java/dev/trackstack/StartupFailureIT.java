package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar refused a start: it exits non-zero within a bound, having said in a sentence or two what is wrong
 * and what to do, and printed no stack trace.
 */
class StartupFailureIT {

    /** Data and server logs; kept when the test fails. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void shouldSayThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFailure(startOn(taken.getLocalPort(), "--trackstack.data-dir=" + work.resolve("data")),
                    "Port " + taken.getLocalPort() + " was already in use.");
        }
    }

    @Test
    void shouldSayTheDataDirectoryIsNotWritable() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere");
        Path readOnly = Files.createDirectory(work.resolve("read-only"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        assertFailure(start("--trackstack.data-dir=" + readOnly.resolve("data")),
                "Trackstack cannot write " + readOnly.resolve("data") + ": permission denied.",
                "Make the data directory writable by the user");
    }

    @Test
    void shouldSayTheDataDirectoryHoldsSomethingElse() throws Exception {
        Path elsewhere = Files.createDirectories(work.resolve("notes"));
        Files.writeString(elsewhere.resolve("todo.txt"), "not a database");
        assertFailure(start("--trackstack.data-dir=" + elsewhere),
                "The data directory " + elsewhere + " holds no embedded database but is not empty (todo.txt)",
                "Set trackstack.data-dir (TRACKSTACK_DATA_DIR) to a new or empty directory");
        assertThat(elsewhere.resolve("todo.txt")).hasContent("not a database");
    }

    @Test
    void shouldSayTheDatabaseIsUnreachable() throws Exception {
        int nobody = PackagedServer.freePort();
        assertFailure(start("--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + nobody + "/trackstack"),
                "Trackstack could not connect to the database jdbc:postgresql://127.0.0.1:" + nobody + "/trackstack: "
                        + "Connection to 127.0.0.1:" + nobody + " refused.",
                "Check spring.datasource.url, spring.datasource.username and spring.datasource.password");
    }

    @Test
    void shouldSayThePasswordIsWrong() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("postgres")).start()) {
            // Zonky trusts every connection; this one checks passwords, like a real server.
            Files.writeString(work.resolve("postgres/pg_hba.conf"), "host all all 127.0.0.1/32 scram-sha-256\n");
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement sql = connection.createStatement()) {
                sql.execute("alter user postgres password 'right'");
                sql.execute("select pg_reload_conf()");
            }
            assertFailure(start("--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                    "--spring.datasource.username=postgres", "--spring.datasource.password=wrong"),
                    "password authentication failed for user \"postgres\"", "spring.datasource.password");
        }
    }

    @Test
    void shouldNameABadSetting() throws Exception {
        assertFailure(start("--trackstack.data-dir=" + work.resolve("data"), "--trackstack.limits.page-size=abc"),
                "Failed to bind properties under 'trackstack.limits.page-size' to int", "Value: \"abc\"",
                "Update your application's configuration");
    }

    @Test
    void shouldListTheAuthModes() throws Exception {
        assertFailure(start("--trackstack.data-dir=" + work.resolve("data"), "--trackstack.auth.mode=sometimes"),
                "Failed to bind properties under 'trackstack.auth.mode'", "Value: \"sometimes\"", "AUTO", "OFF", "REQUIRED");
    }

    @Test
    void shouldSayTheS3StoreCannotBeReached() throws Exception {
        String nobody = "http://127.0.0.1:" + PackagedServer.freePort();
        assertFailure(start("--trackstack.data-dir=" + work.resolve("data"), "--trackstack.artifacts.store=S3",
                "--trackstack.artifacts.s3.endpoint=" + nobody, "--trackstack.artifacts.s3.bucket=models",
                "--trackstack.artifacts.s3.access-key=key", "--trackstack.artifacts.s3.secret-key=secret"),
                "The S3 store s3://models at " + nobody + " cannot be used: it cannot be reached (",
                "Check trackstack.artifacts.s3.endpoint, bucket, access-key and secret-key");
    }

    private Path start(String... args) throws Exception {
        return startOn(PackagedServer.freePort(), args);
    }

    private Path startOn(int port, String... args) throws Exception {
        Path log = Files.createTempFile(work, "server-", ".log");
        Process process = PackagedServer.launch(log, "--server.port=" + port, args);
        // A failed start takes as long as a start up to the failing part; it must not hang.
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the server neither started nor stopped, see " + log);
        }
        assertThat(process.exitValue()).as("exit code, see " + log).isNotZero();
        return log;
    }

    private static void assertFailure(Path log, String... sentences) throws Exception {
        String output = Files.readString(log);
        assertThat(output).as(log.toString()).contains("APPLICATION FAILED TO START").contains(sentences)
                .doesNotContain("\tat ", "Caused by:");
    }
}
