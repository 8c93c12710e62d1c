package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The embedded PostgreSQL of the packaged jar, as an ordinary user: the default data directory in the home
 * directory, restarted by the server after a crash, not outliving a killed server, and locked with a password,
 * also in a data directory made before there was one.
 */
class EmbeddedDatabaseIT extends PackagedServerTest {

    @Test
    void shouldKeepDataInTheHomeDirectoryByDefault() throws Exception {
        Path home = Files.createDirectory(work.resolve("home"));
        long started = System.nanoTime();
        server = PackagedServer.start(work, Map.of("HOME", home.toString()));
        Duration firstStart = Duration.ofNanos(System.nanoTime() - started);
        server.createRun("kept");
        Path dataDir = home.resolve(".trackstack/data");
        assertThat(dataDir.resolve("PG_VERSION")).exists();
        assertLocked(dataDir);

        assertThat(server.stop()).as("graceful shutdown").isTrue();
        server = PackagedServer.start(work, Map.of("HOME", home.toString()));
        assertThat(server.data("{ project(name: \"kept\") { name } }").at("/project/name").asString()).isEqualTo("kept");
        assertThat(firstStart).as("first start, to healthy").isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void shouldStartPostgresAgainAfterItCrashes() throws Exception {
        Path dataDir = work.resolve("data");
        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
        String run = server.createRun("crash");
        long pid = postmasterPid(dataDir);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();  // SIGKILL
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode answer;
        do {
            assertThat(System.nanoTime()).as("answers again within 60 s, see " + server.log()).isLessThan(deadline);
            Thread.sleep(500);
            answer = PackagedServer.JSON.readTree(server.post("query($r: ID!) { run(id: $r) { id } }",
                    Map.of("r", run)).body());
        } while (answer.has("errors"));
        assertThat(answer.at("/data/run/id").asString()).isEqualTo(run);

        assertThat(postmasterPid(dataDir)).isNotEqualTo(pid);
        JsonNode health = PackagedServer.JSON.readTree(server.get("/actuator/health/database").body());
        assertThat(health.at("/components/embeddedDatabase/status").asString()).isEqualTo("UP");
        assertThat(health.at("/components/embeddedDatabase/details/restarts").asInt()).as(health.toString()).isEqualTo(1);
        assertThat(health.at("/components/embeddedDatabase/details/lastExitCode").asInt()).isEqualTo(128 + 9);
        assertThat(Files.readString(server.log())).contains("The embedded PostgreSQL stopped unexpectedly (exit code 137)")
                .contains("The embedded PostgreSQL accepts connections again (restart 1)");
    }

    @Test
    void shouldStopPostgresWhenTheServerIsKilled() throws Exception {
        Path dataDir = work.resolve("data");
        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
        ProcessHandle postmaster = ProcessHandle.of(postmasterPid(dataDir)).orElseThrow();

        server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(postmaster.onExit()).as("PostgreSQL stops with its server").succeedsWithin(Duration.ofSeconds(30));
        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
    }

    /** A data directory as Trackstack made them before it had a password: zonky's initdb, trust for all. */
    @Test
    void shouldLockADataDirectoryMadeWithoutAPassword() throws Exception {
        Path dataDir = work.resolve("data");
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                .start(); Connection connection = old.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("create schema earlier; create table earlier.kept (x int); insert into earlier.kept values (42)");
        }
        assertThat(Files.readString(dataDir.resolve("pg_hba.conf"))).contains("trust");

        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
        assertLocked(dataDir);
        try (Connection connection = DriverManager.getConnection(url(dataDir), "postgres",
                Files.readString(dataDir.resolve("trackstack-db-password")));
             ResultSet kept = connection.createStatement().executeQuery("select x from earlier.kept")) {
            assertThat(kept.next()).isTrue();
            assertThat(kept.getInt(1)).isEqualTo(42);
        }
        server.createRun("after");
    }

    /** Only the password, readable by its owner only, lets anyone in; nothing listens on a unix socket. */
    private static void assertLocked(Path dataDir) throws Exception {
        Path password = dataDir.resolve("trackstack-db-password");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password))).isEqualTo("rw-------");
        assertThat(Files.readString(dataDir.resolve("pg_hba.conf"))).doesNotContain("trust")
                .contains("host all all 127.0.0.1/32 scram-sha-256");
        assertThatThrownBy(() -> DriverManager.getConnection(url(dataDir), "postgres", "")).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> DriverManager.getConnection(url(dataDir), "postgres", "wrong"))
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        String port = Files.readAllLines(dataDir.resolve("postmaster.pid")).get(3);
        assertThat(Path.of("/tmp/.s.PGSQL." + port)).doesNotExist();
        assertThat(dataDir.resolve(".s.PGSQL." + port)).doesNotExist();
    }

    private static String url(Path dataDir) throws Exception {
        return "jdbc:postgresql://127.0.0.1:" + Files.readAllLines(dataDir.resolve("postmaster.pid")).get(3) + "/postgres";
    }

    static long postmasterPid(Path dataDir) throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }
}
