package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.time.Year;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;

class LogMetricsTests extends ApiTest {

    @Test
    void shouldStorePointsAndKeepSummariesCurrent() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", "train", 0, 2.0), point("loss", "train", 1, 1.0),
                point("loss", "train", 2, 1.5), point("lr", null, 0, 0.1)), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(4)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(0);

        graphQl.documentName("run").variable("id", run).execute()
                .path("run.summaries[0].name").entity(String.class).isEqualTo("loss")
                .path("run.summaries[0].split").entity(String.class).isEqualTo("train")
                .path("run.summaries[0].count").entity(Long.class).isEqualTo(3L)
                .path("run.summaries[0].last").entity(Double.class).isEqualTo(1.5)
                .path("run.summaries[0].lastStep").entity(Long.class).isEqualTo(2L)
                .path("run.summaries[0].min").entity(Double.class).isEqualTo(1.0)
                .path("run.summaries[0].minStep").entity(Long.class).isEqualTo(1L)
                .path("run.summaries[0].max").entity(Double.class).isEqualTo(2.0)
                .path("run.summaries[0].maxStep").entity(Long.class).isEqualTo(0L)
                .path("run.summaries[1].name").entity(String.class).isEqualTo("lr")
                .path("run.summaries[1].split").valueIsNull();
    }

    @Test
    void shouldFoldLaterBatchesIntoTheSummaryWhateverTheirOrder() {
        String run = createRun();
        logMetrics(run, List.of(point("acc", "val", 10, 0.5)), null);
        logMetrics(run, List.of(point("acc", "val", 5, 0.9), point("acc", "val", 20, 0.7)), null);

        graphQl.documentName("run").variable("id", run).execute()
                .path("run.summaries[0].count").entity(Long.class).isEqualTo(3L)
                .path("run.summaries[0].lastStep").entity(Long.class).isEqualTo(20L)
                .path("run.summaries[0].last").entity(Double.class).isEqualTo(0.7)
                .path("run.summaries[0].max").entity(Double.class).isEqualTo(0.9)
                .path("run.summaries[0].maxStep").entity(Long.class).isEqualTo(5L)
                .path("run.summaries[0].min").entity(Double.class).isEqualTo(0.5);
    }

    @Test
    void shouldIgnoreARetriedBatchId() {
        String run = createRun();
        List<Map<String, Object>> batch = List.of(point("loss", "train", 0, 1.0), point("loss", "train", 1, 0.9));
        logMetrics(run, batch, "batch-1").path("logMetrics.accepted").entity(Integer.class).isEqualTo(2);

        logMetrics(run, batch, "batch-1")
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(0)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(2);
        assertThat(pointCount(run)).isEqualTo(2);
    }

    @Test
    void shouldCountAlreadyStoredStepsAsDuplicatesAndKeepTheFirstValue() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", "train", 0, 1.0)), null);

        logMetrics(run, List.of(point("loss", "train", 0, 5.0), point("loss", "train", 1, 0.5),
                point("loss", "train", 1, 0.7)), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(2);
        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].points[*].value").entityList(Double.class).containsExactly(1.0, 0.5);
        graphQl.documentName("run").variable("id", run).execute()
                .path("run.summaries[0].count").entity(Long.class).isEqualTo(2L)
                .path("run.summaries[0].max").entity(Double.class).isEqualTo(1.0);
    }

    @Test
    void shouldStoreNaNAndInfinityButLeaveThemOutOfMinAndMax() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", "train", 0, 3.0), point("loss", "train", 1, "NaN"),
                point("loss", "train", 2, "Infinity"), point("loss", "train", 3, "-Infinity"),
                point("loss", "train", 4, 2.0), point("loss", "train", 5, "NaN")), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(6);

        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].points[*].value").entityList(Object.class)
                .containsExactly(3.0, "NaN", "Infinity", "-Infinity", 2.0, "NaN");
        graphQl.documentName("run").variable("id", run).execute()
                .path("run.summaries[0].min").entity(Double.class).isEqualTo(2.0)
                .path("run.summaries[0].max").entity(Double.class).isEqualTo(3.0)
                .path("run.summaries[0].last").entity(String.class).isEqualTo("NaN")
                .path("run.summaries[0].count").entity(Long.class).isEqualTo(6L);
    }

    @Test
    void shouldKeepMinAndMaxEmptyWhileEveryValueIsNaN() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", null, 0, "NaN")), null);

        graphQl.documentName("run").variable("id", run).execute()
                .path("run.summaries[0].min").valueIsNull()
                .path("run.summaries[0].max").valueIsNull()
                .path("run.summaries[0].last").entity(String.class).isEqualTo("NaN");
    }

    @Test
    void shouldWriteNothingOfABatchWithOneBadPoint() {
        String run = createRun();
        String message = errorCode(logMetrics(run, List.of(point("loss", "train", 0, 1.0),
                point("loss", "train", -1, 1.0)), "bad-batch"), "BAD_USER_INPUT");

        assertThat(message).contains("points[1].step");
        assertThat(pointCount(run)).isZero();
        // The batch id was not used up by the rejected call.
        logMetrics(run, List.of(point("loss", "train", 0, 1.0)), "bad-batch")
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
    }

    @Test
    void shouldRejectAnEmptyName() {
        String message = errorCode(logMetrics(createRun(), List.of(point(" ", null, 0, 1.0)), null),
                "BAD_USER_INPUT");
        assertThat(message).contains("points[0].name");
    }

    @Test
    void shouldRejectAValueThatIsNotANumber() {
        String message = errorCode(logMetrics(createRun(), List.of(point("loss", null, 0, "high")), null),
                "BAD_USER_INPUT");
        assertThat(message).contains("MetricValue");
    }

    @Test
    void shouldRejectABatchOverTheLimit() {
        String run = createRun();
        List<Map<String, Object>> points = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            points.add(point("loss", null, i, 1.0));
        }
        assertThat(errorCode(logMetrics(run, points, null), "LIMIT_EXCEEDED")).contains("10000");
        assertThat(pointCount(run)).isZero();
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownOrDeletedRun() {
        errorCode(logMetrics("999999999", List.of(point("loss", null, 0, 1.0)), null), "NOT_FOUND");
        errorCode(logMetrics("not-an-id", List.of(point("loss", null, 0, 1.0)), null), "NOT_FOUND");

        String run = createRun();
        graphQl.documentName("deleteRuns").variable("ids", List.of(run))
                .execute().path("deleteRuns").entity(Integer.class).isEqualTo(1);
        errorCode(logMetrics(run, List.of(point("loss", null, 0, 1.0)), null), "NOT_FOUND");
    }

    @Test
    void shouldAcceptPointsForARunThatIsNoLongerRunning() {
        String run = createRun();
        graphQl.documentName("updateRunStatus").variable("status", "COMPLETED")
                .variable("runId", run).execute();

        logMetrics(run, List.of(point("accuracy", "validation", 100, 0.9)), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
    }

    @Test
    void shouldStampPointsWithTheGivenTimeOrTheArrivalTime() {
        String run = createRun();
        Map<String, Object> timed = point("loss", null, 0, 1.0);
        timed.put("time", "2025-01-02T03:04:05.123456Z");
        logMetrics(run, List.of(timed, point("loss", null, 1, 1.0)), null);

        List<String> times = graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].points[*].time").entityList(String.class).get();
        // Stored to the microsecond; the DateTime scalar prints milliseconds.
        assertThat(times.get(0)).isEqualTo("2025-01-02T03:04:05.123Z");
        assertThat(times.get(1)).startsWith(String.valueOf(Year.now().getValue()));
    }

    @Test
    void shouldAcceptTimesFromYearOneToYear9999AndRejectOthers() {
        String run = createRun();
        Map<String, Object> first = point("loss", null, 0, 1.0);
        first.put("time", "0001-01-01T00:00:00Z");
        Map<String, Object> last = point("loss", null, 1, 1.0);
        last.put("time", "9999-12-31T23:59:59.999999Z");
        logMetrics(run, List.of(first, last), null).path("logMetrics.accepted").entity(Integer.class).isEqualTo(2);

        Map<String, Object> far = point("loss", null, 2, 1.0);
        far.put("time", "+10000-01-01T00:00:00Z");
        assertThat(errorCode(logMetrics(run, List.of(far), null), "BAD_USER_INPUT")).contains("points[0].time");
        assertThat(pointCount(run)).isEqualTo(2);
    }

    @Test
    void shouldRewindARunToACheckpointAndAcceptTheStepsAgain() {
        String run = createRun();
        logMetrics(run, List.of(point("loss", "train", 0, 3.0), point("loss", "train", 5, 1.0),
                point("loss", "train", 10, 0.5), point("acc", null, 10, 0.9)), null);

        graphQl.documentName("rewindRun").variable("toStep", 5).variable("runId", run).execute()
                .path("rewindRun").entity(Long.class).isEqualTo(2L);

        graphQl.documentName("run").variable("id", run).execute()
                .path("run.summaries[0].name").entity(String.class).isEqualTo("acc")
                .path("run.summaries[0].count").entity(Long.class).isEqualTo(0L)
                .path("run.summaries[0].last").valueIsNull()
                .path("run.summaries[1].count").entity(Long.class).isEqualTo(2L)
                .path("run.summaries[1].lastStep").entity(Long.class).isEqualTo(5L)
                .path("run.summaries[1].min").entity(Double.class).isEqualTo(1.0)
                .path("run.summaries[1].max").entity(Double.class).isEqualTo(3.0);
        logMetrics(run, List.of(point("loss", "train", 10, 0.7)), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
        graphQl.documentName("series").variable("runIds", List.of(run)).variable("names", List.of("loss")).execute()
                .path("series[0].points[*].value").entityList(Double.class).containsExactly(3.0, 1.0, 0.7);
        errorCode(graphQl.documentName("rewindRun").variable("toStep", -1).variable("runId", run)
                .execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("rewindRun").variable("runId", "4444444444").variable("toStep", 1).execute(),
                "NOT_FOUND");
    }

    @Test
    void shouldLetOnlyOneCallPerCoreWriteAtOnceAndTheOthersWaitTheirTurn() throws Exception {
        String run = createRun();
        int slots = Runtime.getRuntime().availableProcessors();
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(slots + 1);
        try (Connection lock = jdbc.getDataSource().getConnection()) {
            // Holds the run, so that every call that got to write waits in the database.
            lock.setAutoCommit(false);
            lock.createStatement().execute("select id from run where id = " + run + " for update");
            for (int i = 0; i <= slots; i++) {
                long step = i;
                calls.add(CompletableFuture.supplyAsync(() -> logMetrics(run, List.of(point("loss", null, step, 1.0)),
                        null).path("logMetrics.accepted").entity(Integer.class).get(), callers));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> writersWaiting() == slots);
            // The one call more waits outside: for a second, never more than one per core inside.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                    .until(() -> writersWaiting() == slots);
            assertThat(calls).noneMatch(CompletableFuture::isDone);
            lock.commit();
        } finally {
            callers.shutdown();
        }
        assertThat(calls.stream().map(CompletableFuture::join)).containsOnly(1);
        assertThat(pointCount(run)).isEqualTo(slots + 1);
    }

    private int writersWaiting() {
        return jdbc.queryForObject("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                + "and query like '%for key share of r%'", Integer.class);
    }
}
