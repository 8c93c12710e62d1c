package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar started by root, as on cloud GPU machines and in containers: its embedded PostgreSQL runs as
 * the system user trackstack, and other OS users cannot connect to it. Runs only as root (elsewhere skipped):
 * CI's root phase (.ci/run) runs it, and fails when it was skipped.
 */
class RootStartIT {

    /** Data and server logs; kept when the test fails. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private PackagedServer server;

    @BeforeAll
    static void asRoot() {
        assumeTrue(new UnixSystem().getUid() == 0, "RootStartIT needs root: it starts the jar as root and connects as the user nobody "
                + "(CI runs it in the root phase of .ci/run)");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldRunPostgresAsAnUnprivilegedUserWhenStartedAsRoot() throws Exception {
        Path home = Files.createDirectory(work.resolve("home"));
        long started = System.nanoTime();
        server = PackagedServer.start(work, Map.of("HOME", home.toString()));
        Duration firstStart = Duration.ofNanos(System.nanoTime() - started);
        server.createRun("kept");

        Path dataDir = home.resolve(".trackstack/data");
        assertThat(Files.getOwner(dataDir).getName()).isEqualTo("trackstack");
        assertThat(ProcessHandle.of(EmbeddedDatabaseIT.postmasterPid(dataDir)).orElseThrow().info().user())
                .contains("trackstack");
        assertThat(Files.readString(server.log()))
                .contains("Running as root: the embedded PostgreSQL runs as the system user trackstack");

        assertThat(server.stop()).as("graceful shutdown").isTrue();
        server = PackagedServer.start(work, Map.of("HOME", home.toString()));
        assertThat(server.data("{ project(name: \"kept\") { name } }").at("/project/name").asString()).isEqualTo("kept");
        assertThat(firstStart).as("first start, to healthy").isLessThan(Duration.ofSeconds(60));
    }

    /** Issue 19: as nobody, psql -h 127.0.0.1 -U postgres was a superuser session. */
    @Test
    void shouldRefuseConnectionsFromOtherUsers() throws Exception {
        Path dataDir = work.resolve("data");
        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
        List<String> pid = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3) + "/postgres";
        String password = Files.readString(dataDir.resolve("trackstack-db-password"));

        assertThat(asNobody("cat", dataDir.resolve("trackstack-db-password").toString())).contains("Permission denied");
        assertThat(connectAsNobody(url, "")).startsWith("refused");
        assertThat(connectAsNobody(url, "guess")).contains("password authentication failed");
        // The probe itself works: with the password, nobody would get in.
        assertThat(connectAsNobody(url, password)).isEqualTo("connected");
        // No unix socket, where peer or trust rules might let a local user in.
        assertThat(pid.get(4)).isEmpty();
        for (Path directory : List.of(Path.of("/tmp"), Path.of("/var/run/postgresql"), dataDir)) {
            assertThat(directory.resolve(".s.PGSQL." + pid.get(3))).doesNotExist();
        }
    }

    @Test
    void shouldSayInOneSentenceWhenNoUnprivilegedAccountCanBeHad() throws Exception {
        // Without util-linux's setpriv and useradd (here: no PATH), there is no way to switch users.
        PackagedServer failing = PackagedServer.launch(work, Map.of("PATH", work.resolve("empty").toString()),
                "--trackstack.data-dir=" + work.resolve("data"));
        assertThat(failing.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(failing.process().exitValue()).isNotZero();
        assertThat(Files.readString(failing.log())).contains("APPLICATION FAILED TO START")
                .contains("Trackstack runs as root, and its embedded PostgreSQL, which refuses to run as root, could "
                        + "not be given an unprivileged account: setpriv and useradd (util-linux, passwd) are not both "
                        + "installed.")
                .contains("Start Trackstack as an ordinary user")
                .doesNotContain("\tat ");
    }

    /** Connects with pgJDBC from a program run as nobody; answers "connected" or "refused: " and the reason. */
    private String connectAsNobody(String url, String password) throws Exception {
        Path probe = work.resolve("probe");
        if (!Files.exists(probe)) {
            Files.createDirectory(probe);
            Path driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.copy(driver, probe.resolve("pgjdbc.jar"));
            Files.writeString(probe.resolve("Probe.java"), """
                    public class Probe {
                        public static void main(String[] args) {
                            try (var connection = java.sql.DriverManager.getConnection(args[0], "postgres",
                                    new String(System.in.readAllBytes()))) {
                                System.out.println("connected");
                            } catch (Exception e) {
                                System.out.println("refused: " + e.getMessage());
                            }
                        }
                    }
                    """);
            for (Path path = probe; !path.equals(work.getParent()); path = path.getParent()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return run(password, "runuser", "-u", "nobody", "--", java, "-cp", probe.resolve("pgjdbc.jar").toString(),
                probe.resolve("Probe.java").toString(), url).strip();
    }

    private String asNobody(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
        full.addAll(List.of(command));
        return run("", full.toArray(String[]::new));
    }

    private static String run(String input, String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
