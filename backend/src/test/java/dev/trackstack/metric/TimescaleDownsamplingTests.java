package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;

import dev.trackstack.TimescaleDatabase;
import dev.trackstack.storage.AggregateLevel;
import dev.trackstack.storage.StorageMode;
import dev.trackstack.system.DatabaseTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Everything {@link DownsamplingTests} checks, on TimescaleDB with continuous aggregates, and their upkeep. */
@EnabledIf(value = "dev.trackstack.TimescaleDatabase#fullAvailable", disabledReason = TimescaleDatabase.UNAVAILABLE)
class TimescaleDownsamplingTests extends DownsamplingTests {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @DynamicPropertySource
    static void timescale(DynamicPropertyRegistry registry) {
        TimescaleDatabase.FULL.register(registry);
    }

    @Test
    void shouldKeepPointsInACompressedHypertableWithRealTimeAggregates() {
        assertThat(storage.mode()).isEqualTo(StorageMode.TIMESCALEDB);
        graphQl.documentName("serverInfo").execute()
                .path("serverInfo.storage").entity(String.class).isEqualTo("TIMESCALEDB")
                .path("serverInfo.levels").entityList(String.class).containsExactly("aggregate-1s", "aggregate-10s",
                        "aggregate-1m", "aggregate-10m", "aggregate-1h", "aggregate-1d");
        assertThat(jdbc.queryForList("select hypertable_name from timescaledb_information.hypertables",
                String.class)).contains("metric_point");
        assertThat(jdbc.queryForList("select view_name from timescaledb_information.continuous_aggregates "
                + "where not materialized_only", String.class))
                .containsAll(Arrays.stream(AggregateLevel.values()).map(AggregateLevel::view).toList());
        assertThat(jdbc.queryForList("select proc_name from timescaledb_information.jobs", String.class))
                .contains("policy_compression", "policy_refresh_continuous_aggregate");
        assertThat(jdbc.queryForList("select attname from timescaledb_information.compression_settings "
                + "where hypertable_name = 'metric_point' and segmentby_column_index is not null", String.class))
                .containsExactly("series_id");
        // refreshes select points by time (V5)
        assertThat(jdbc.queryForList("select indexdef from pg_indexes where tablename = 'metric_point'", String.class))
                .anyMatch(index -> index.endsWith("USING btree (ts)"));
    }

    @Test
    void shouldServeLongSeriesFromAggregateLevelsIncludingPointsJustLogged() throws InterruptedException {
        String run = createRun();
        NavigableMap<Long, Double> logged = logRoughSeries(run, 5, START);
        runRefreshPolicies();
        // Logged after the refresh: only real-time aggregation can answer these.
        long next = logged.lastKey() + 1;
        for (long step = next; step < next + 3000; step++) {
            logged.put(step, (double) step);
        }
        logMetrics(run, logged.tailMap(next, true).entrySet().stream()
                .map(e -> timed(point("loss", null, e.getKey(), e.getValue()), START, e.getKey())).toList(), null);

        assertThat(assertExactBucketsForManyRanges(run, logged))
                .contains("aggregate-1s", "aggregate-10s", "aggregate-1m");
    }

    /**
     * What ingest touched is materialized within seconds, with the policies paused: a series logged just now and
     * one imported with times a year old, read exactly before, while and after.
     */
    @Test
    void shouldMaterializeWhatIngestTouchedWithinSecondsEvenWithYearOldTimes() throws InterruptedException {
        jdbc.queryForList("select alter_job(job_id, scheduled => false) from timescaledb_information.jobs "
                + "where proc_name = 'policy_refresh_continuous_aggregate'");
        try {
            for (Instant start : List.of(Instant.now().minus(Duration.ofHours(7)),
                    Instant.now().minus(Duration.ofDays(365)))) {
                String run = createRun();
                NavigableMap<Long, Double> logged = logRoughSeries(run, 23, start);
                assertExactBucketsForManyRanges(run, logged);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!materializedEverywhere(run, logged.size())) {
                    assertThat(System.nanoTime()).as("every level materialized from " + start).isLessThan(deadline);
                    Thread.sleep(200);
                }
                assertThat(assertExactBucketsForManyRanges(run, logged)).as("from " + start)
                        .contains("aggregate-1s", "aggregate-10s", "aggregate-1m");
            }
        } finally {
            jdbc.queryForList("select alter_job(job_id, scheduled => true) from timescaledb_information.jobs "
                    + "where proc_name = 'policy_refresh_continuous_aggregate'");
        }
    }

    /** Whether each level's materialized buckets of the run count all its points. */
    private boolean materializedEverywhere(String run, long points) {
        for (AggregateLevel level : AggregateLevel.values()) {
            String table = jdbc.queryForObject("select format('%I.%I', materialization_hypertable_schema, "
                    + "materialization_hypertable_name) from timescaledb_information.continuous_aggregates "
                    + "where view_name = ?", String.class, level.view());
            long counted = jdbc.queryForObject("select coalesce(sum(n), 0) from " + table
                    + " where series_id in (select id from metric_series where run_id = ?)", Long.class,
                    Long.parseLong(run));
            if (counted != points) {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldForgetRewoundPointsAtOnce() throws InterruptedException {
        String run = createRun();
        NavigableMap<Long, Double> logged = logRoughSeries(run, 9, START);
        runRefreshPolicies();
        long checkpoint = logged.firstKey() + (logged.lastKey() - logged.firstKey()) / 2;
        graphQl.documentName("rewindRun").variable("runId", run).variable("toStep", checkpoint).execute();

        assertThat(assertExactBucketsForManyRanges(run, logged.headMap(checkpoint, true))).contains("aggregate-10s");
    }

    @Test
    void shouldLeaveNoRowsOfDeletedRunsInTheAggregatesOnceTheirPoliciesRan() throws InterruptedException {
        String run = createRun();
        logRoughSeries(run, 13, START);
        runRefreshPolicies();
        List<Long> series = jdbc.queryForList("select id from metric_series where run_id = ?", Long.class,
                Long.parseLong(run));
        assertThat(aggregateRows(series)).isPositive();
        // Invisible to series at once (their series are gone), and gone from the levels once the policies ran.
        graphQl.documentName("deleteRuns").variable("ids", List.of(run)).execute();
        runRefreshPolicies();
        assertThat(aggregateRows(series)).isZero();
    }

    @Test
    void shouldStayIdempotentAndExactOnCompressedChunks() throws InterruptedException {
        String run = createRun();
        NavigableMap<Long, Double> logged = logRoughSeries(run, 17, START);
        jdbc.queryForList("select compress_chunk(c, if_not_compressed => true) from show_chunks('metric_point') c");
        long first = logged.firstKey();
        logMetrics(run, List.of(timed(point("loss", null, first, 5.0), START, first),
                timed(point("loss", null, first, 6.0), START, first + 7)), null)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(2);
        runRefreshPolicies();

        assertThat(assertExactBucketsForManyRanges(run, logged)).contains("aggregate-10s");
    }

    /**
     * What the refresh policies do on their schedule, finest level first, each after any refresh of its level
     * running (a policy's, or ingest's).
     */
    private void runRefreshPolicies() throws InterruptedException {
        for (Long job : jdbc.queryForList("select job_id from timescaledb_information.jobs "
                + "where proc_name = 'policy_refresh_continuous_aggregate' order by job_id", Long.class)) {
            for (int attempt = 1; ; attempt++) {
                try {
                    // A policy may wait for ingest's refresh of the same buckets longer than a request would.
                    jdbc.execute((ConnectionCallback<Boolean>) connection -> {
                        DatabaseTime.allowLongStatements(connection);
                        try (Statement call = connection.createStatement()) {
                            return call.execute("call run_job(" + job + ")");
                        }
                    });
                    break;
                } catch (UncategorizedSQLException e) {
                    assertThat(e.getSQLException().getSQLState()).as("only a concurrent run may stop a refresh")
                            .isEqualTo("55P03");
                    assertThat(attempt).isLessThan(600);
                    Thread.sleep(100);
                }
            }
        }
    }

    private long aggregateRows(List<Long> series) {
        long rows = 0;
        for (AggregateLevel level : AggregateLevel.values()) {
            rows += jdbc.queryForObject("select count(*) from " + level.view() + " where series_id = any(?)",
                    Long.class, (Object) series.toArray(Long[]::new));
        }
        return rows;
    }
}
