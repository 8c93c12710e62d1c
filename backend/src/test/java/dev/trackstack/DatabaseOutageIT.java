package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A database restart under a running server: PostgreSQL stops (fast shutdown, as for a restart or a failover)
 * for 20 s while writers log batches. Calls fail within seconds with UNAVAILABLE and store nothing, the
 * server recovers by itself when the database is back, and resending the failed batches with their batchIds
 * stores exactly the logged points.
 */
class DatabaseOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final int WRITERS = 4;
    private static final int BATCH = 100;
    private static final String LOG_METRICS = "mutation($r: ID!, $p: [MetricPointInput!]!, $b: String) "
            + "{ logMetrics(runId: $r, points: $p, batchId: $b) { accepted duplicates } }";

    /** Data and server logs; kept when the test fails. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private EmbeddedPostgres postgres;
    private volatile boolean logging = true;
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopPostgres() throws Exception {
        logging = false;
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void shouldAnswerUnavailableWhileTheDatabaseIsDownAndRecoverByItself() throws Exception {
        int databasePort = PackagedServer.freePort();
        startPostgres(databasePort);
        try (PackagedServer server = PackagedServer.start(work,
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres",
                "--spring.datasource.username=postgres", "--trackstack.heartbeat-check-interval=1s")) {
            long pid = server.process().pid();
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                runs.add(server.createRun("outage"));
            }
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<Long>> writers = runs.stream().map(run -> pool.submit(() -> write(server, run))).toList();
            awaitStored(WRITERS * 5);

            postgres.close();
            long down = System.nanoTime();
            String run = runs.get(0);
            assertUnavailable(server.post("query($r: ID!) { run(id: $r) { name summaries { count } } }", Map.of("r", run)));
            assertThat(server.get("/actuator/health").statusCode()).isEqualTo(503);
            assertUnavailable(server.post("query($r: ID!) { series(runIds: [$r]) { totalPoints } }", Map.of("r", run)));
            Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
            List<Outcome> duringOutage = List.copyOf(outcomes);
            startPostgres(databasePort);

            // The server reconnects by itself: writers succeed again without anyone restarting it.
            awaitStored(duringOutage.stream().filter(Outcome::stored).count() + WRITERS * 5);
            logging = false;
            List<Long> logged = new ArrayList<>();
            for (Future<Long> writer : writers) {
                logged.add(writer.get());
            }
            pool.shutdown();
            assertThat(server.process().isAlive()).isTrue();
            assertThat(server.process().pid()).isEqualTo(pid);
            assertThat(server.get("/actuator/health").statusCode()).isEqualTo(200);

            List<Outcome> failed = outcomes.stream().filter(o -> !o.stored()).toList();
            assertThat(failed).as("calls that failed while the database was down").isNotEmpty();
            for (Outcome outcome : failed) {
                assertThat(outcome.code()).as(outcome.body()).isEqualTo("UNAVAILABLE");
                assertThat(outcome.body()).doesNotContain("Exception", "\tat ").doesNotContainIgnoringCase("select ");
                // Fail fast: a few seconds (the connection timeout), not the pool's default 30 s.
                assertThat(outcome.millis()).as("milliseconds to answer").isLessThan(15_000);
            }

            // A client resends each failed batch with its batchId; one the database committed before the
            // connection broke counts as duplicates instead of being stored twice.
            for (Outcome outcome : failed) {
                JsonNode result = server.data(LOG_METRICS, variables(outcome.batch())).get("logMetrics");
                assertThat(result.get("accepted").asInt() + result.get("duplicates").asInt()).isEqualTo(BATCH);
            }
            for (int i = 0; i < WRITERS; i++) {
                assertStoredExactly(server, runs.get(i), logged.get(i));
            }
            // Background work says in one line that the database was away (the default task error handler would
            // log a stack trace every check).
            assertThat(Files.readString(server.log())).contains("Heartbeat check skipped, the database is unavailable")
                    .doesNotContain("Unexpected error occurred in scheduled task");
        }
    }

    /** Logs batches of consecutive steps (value = step) until told to stop; answers how many points it logged. */
    private long write(PackagedServer server, String run) throws Exception {
        long step = 0;
        for (int n = 0; logging; n++) {
            Batch batch = new Batch(run, run + "-" + n, step);
            outcomes.add(send(server, batch));
            step += BATCH;
            Thread.sleep(50);  // a training loop's pace, so that each run stays at thousands of points
        }
        return step;
    }

    private static Outcome send(PackagedServer server, Batch batch) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = server.post(LOG_METRICS, variables(batch));
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (response.statusCode() != 200) {
            return new Outcome(batch, false, "HTTP " + response.statusCode(), millis, response.body());
        }
        JsonNode body = PackagedServer.JSON.readTree(response.body());
        if (body.has("errors")) {
            return new Outcome(batch, false, body.at("/errors/0/extensions/code").asString(), millis, response.body());
        }
        JsonNode result = body.at("/data/logMetrics");
        assertThat(result.get("accepted").asInt() + result.get("duplicates").asInt()).isEqualTo(BATCH);
        return new Outcome(batch, true, null, millis, null);
    }

    private static Map<String, Object> variables(Batch batch) {
        List<Map<String, Object>> points = LongStream.range(batch.firstStep(), batch.firstStep() + BATCH)
                .mapToObj(step -> Map.<String, Object>of("name", "loss", "step", step, "value", (double) step))
                .toList();
        return Map.of("r", batch.runId(), "p", points, "b", batch.batchId());
    }

    private void awaitStored(long count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (outcomes.stream().filter(Outcome::stored).count() < count) {
            assertThat(System.nanoTime()).as("%d batches stored in time", count).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void assertUnavailable(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(PackagedServer.JSON.readTree(response.body()).at("/errors/0/extensions/code").asString())
                .as(response.body()).isEqualTo("UNAVAILABLE");
    }

    /** The run's series holds steps 0 … count-1 with value = step, each once; read in raw windows. */
    private static void assertStoredExactly(PackagedServer server, String run, long count) throws Exception {
        List<Long> steps = new ArrayList<>();
        for (long from = 0; from < count; from += 10_000) {
            JsonNode series = server.data("query($r: ID!, $from: Long, $to: Long) { series(runIds: [$r], "
                    + "maxPoints: 10000, fromStep: $from, toStep: $to) { totalPoints downsampled points { step value } } }",
                    Map.of("r", run, "from", from, "to", from + 9_999)).at("/series/0");
            assertThat(series.get("totalPoints").asLong()).isEqualTo(count);
            assertThat(series.get("downsampled").asBoolean()).isFalse();
            for (JsonNode point : series.get("points")) {
                assertThat(point.get("value").asDouble()).isEqualTo(point.get("step").asDouble());
                steps.add(point.get("step").asLong());
            }
        }
        assertThat(steps).containsExactlyElementsOf(LongStream.range(0, count).boxed().toList());
    }

    private void startPostgres(int port) throws Exception {
        postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("postgres"))
                .setCleanDataDirectory(false).setPort(port).start();
    }

    private record Batch(String runId, String batchId, long firstStep) {
    }

    /** One logMetrics call: stored whole, or failed with this code. */
    private record Outcome(Batch batch, boolean stored, String code, long millis, String body) {
    }
}
