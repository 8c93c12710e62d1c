package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Group commit under a SIGKILL: writers log one point per call (joined into groups) when the server dies mid-stream.
 * Restarted on the same data directory, every batch resent with its batchId is stored exactly once: a call
 * acknowledged before the kill was committed, and one in flight was committed whole or not at all.
 */
class GroupCommitKillIT extends PackagedServerTest {

    private static final int WRITERS = 8;
    private static final String LOG_METRICS = "mutation($r: ID!, $p: [MetricPointInput!]!, $b: String) "
            + "{ logMetrics(runId: $r, points: $p, batchId: $b) { accepted duplicates } }";

    private volatile boolean logging = true;
    private final AtomicInteger acknowledged = new AtomicInteger();

    @Test
    void shouldStoreEveryBatchExactlyOnceWhenResentAfterAKill() throws Exception {
        Path dataDir = work.resolve("data");
        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            runs.add(server.createRun("kill"));
        }
        ProcessHandle postmaster = ProcessHandle.of(EmbeddedDatabaseIT.postmasterPid(dataDir)).orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        PackagedServer killed = server;
        List<Future<Writer>> writers = runs.stream().map(run -> pool.submit(() -> write(killed, run))).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.get() < 200) {
            assertThat(System.nanoTime()).as("200 calls acknowledged in time").isLessThan(deadline);
            Thread.sleep(10);
        }

        // SIGKILL the server's JVM, the launcher's child (FastStart), with calls in flight.
        ProcessHandle jvm = killed.process().toHandle().children()
                .filter(child -> child.info().command().orElse("").endsWith("java")).findFirst()
                .orElse(killed.process().toHandle());
        jvm.destroyForcibly();
        assertThat(jvm.onExit()).succeedsWithin(Duration.ofSeconds(30));
        logging = false;
        List<Writer> logged = new ArrayList<>();
        for (Future<Writer> writer : writers) {
            logged.add(writer.get());
        }
        pool.shutdown();
        assertThat(logged).as("calls unanswered when the server died").anyMatch(w -> w.sent > w.acknowledged);
        assertThat(postmaster.onExit()).as("PostgreSQL stops with its server").succeedsWithin(Duration.ofSeconds(30));
        killed.process().waitFor(30, TimeUnit.SECONDS);

        server = PackagedServer.start(work, "--trackstack.data-dir=" + dataDir);
        for (Writer writer : logged) {
            for (long step = 0; step < writer.sent; step++) {
                JsonNode result = server.data(LOG_METRICS, variables(writer.run, step)).get("logMetrics");
                assertThat(result.get("accepted").asInt() + result.get("duplicates").asInt()).isEqualTo(1);
                if (step < writer.acknowledged) {
                    assertThat(result.get("duplicates").asInt()).as("an acknowledged call was committed").isEqualTo(1);
                }
            }
            JsonNode series = server.data("query($r: ID!) { series(runIds: [$r], maxPoints: 10000) "
                    + "{ totalPoints downsampled points { step value } } }", Map.of("r", writer.run)).at("/series/0");
            assertThat(series.get("downsampled").asBoolean()).isFalse();
            List<Long> steps = new ArrayList<>();
            for (JsonNode point : series.get("points")) {
                assertThat(point.get("value").asDouble()).isEqualTo(point.get("step").asDouble());
                steps.add(point.get("step").asLong());
            }
            assertThat(steps).containsExactlyElementsOf(LongStream.range(0, writer.sent).boxed().toList());
        }
    }

    /**
     * Logs step 0, 1, … one per call (value = step, batchId = run and step) until the server dies; answers how many
     * calls it sent and how many of them (the first ones: each call waits for its answer) were acknowledged.
     */
    private Writer write(PackagedServer server, String run) {
        Writer writer = new Writer(run);
        while (logging && writer.sent < 9_000) {
            writer.sent++;
            try {
                JsonNode body = PackagedServer.JSON.readTree(server.post(LOG_METRICS,
                        variables(run, writer.sent - 1)).body());
                assertThat(body.at("/data/logMetrics/accepted").asInt()).as(body.toString()).isEqualTo(1);
            } catch (Exception serverGone) {
                return writer;
            }
            writer.acknowledged++;
            acknowledged.incrementAndGet();
        }
        return writer;
    }

    private static Map<String, Object> variables(String run, long step) {
        return Map.of("r", run, "p", List.of(Map.of("name", "loss", "step", step, "value", (double) step)),
                "b", run + "-" + step);
    }

    private static final class Writer {

        final String run;
        long sent;
        long acknowledged;

        Writer(String run) {
            this.run = run;
        }
    }
}
