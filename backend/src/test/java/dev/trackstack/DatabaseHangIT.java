package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database that hangs, like one behind a network cut that sends no resets: every process of the embedded
 * PostgreSQL is stopped (SIGSTOP). A call answers UNAVAILABLE and health 503 within the README's 5 s, also a call on
 * a connection that was just in use (which the pool does not check first); once the database runs again
 * (SIGCONT), the server answers again by itself.
 */
class DatabaseHangIT {

    /** The README's bound, and a margin for a machine busy with other tests. */
    private static final Duration BOUND = Duration.ofSeconds(5).plusSeconds(3);
    private static final String READ = "query($r: ID!) { run(id: $r) { name summaries { count } } }";

    /** Data and server logs; kept when the test fails. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void shouldAnswerUnavailableWithinTheBoundWhileTheDatabaseHangsAndRecoverByItself() throws Exception {
        Path data = work.resolve("data");
        try (PackagedServer server = PackagedServer.start(work, "--trackstack.data-dir=" + data)) {
            String run = server.createRun("hang");
            Map<String, Object> variables = Map.of("r", run);
            List<ProcessHandle> postgres = postgresProcesses(data);
            server.data(READ, variables);
            signal("STOP", postgres);
            try {
                assertUnavailable(timed(() -> server.post(READ, variables)));
                assertThat(timed(() -> server.get("/actuator/health")).statusCode()).isEqualTo(503);
                assertUnavailable(timed(() -> server.post(READ, variables)));
            } finally {
                signal("CONT", postgres);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (server.post(READ, variables).body().contains("errors")) {
                assertThat(System.nanoTime()).as("answers again after the database resumed").isLessThan(deadline);
                Thread.sleep(250);
            }
            assertThat(server.data(READ, variables).at("/run/summaries").isArray()).isTrue();
            assertThat(server.get("/actuator/health").statusCode()).isEqualTo(200);
        }
    }

    /** The postmaster (first line of postmaster.pid) and every process it started. */
    private static List<ProcessHandle> postgresProcesses(Path data) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow();
        List<ProcessHandle> processes = new ArrayList<>(List.of(handle));
        processes.addAll(handle.descendants().toList());
        assertThat(processes).as("postmaster and its children").hasSizeGreaterThan(3);
        return processes;
    }

    private static void signal(String signal, List<ProcessHandle> processes) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(p -> command.add(String.valueOf(p.pid())));
        assertThat(new ProcessBuilder(command).inheritIO().start().waitFor()).isZero();
    }

    private static HttpResponse<String> timed(Callable<HttpResponse<String>> call) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = call.call();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to answer: " + response.body())
                .isLessThan(BOUND);
        return response;
    }

    private static void assertUnavailable(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(PackagedServer.JSON.readTree(response.body()).at("/errors/0/extensions/code").asString())
                .as(response.body()).isEqualTo("UNAVAILABLE");
    }
}
