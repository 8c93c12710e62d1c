package dev.trackstack.storage;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import dev.trackstack.system.EpochMicros;
import dev.trackstack.system.TrackstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Points in a compressed TimescaleDB hypertable, downsampled by hierarchical continuous aggregates
 * ({@link AggregateLevel}; their views and refresh policies are db/timescaledb/R__continuous_aggregates.sql).
 */
class AggregatePointStore extends SqlPointStore {

    private static final Logger log = LoggerFactory.getLogger(AggregatePointStore.class);

    /**
     * Materialized buckets of a continuous aggregate level (its hypertable, the last {@code %s}) wholly inside each
     * series' step range (the ranges, the middle one), with their first steps. Steps are assumed to grow with time,
     * as training logs them, so the buckets cover one run of steps; the range's ends that they leave, including what
     * is not materialized yet, are read raw (a bucket materialized while its time was still being logged holds the
     * first of its points, and the rest follow it). The counts of coarser levels are sums, numeric in SQL: bigint reads
     * much faster.
     */
    private static final String AGGREGATED = """
            select g.series_id, g.last_step, %s, g.last_value, g.min_value, g.max_value, g.n::bigint, g.first_step
            from %s as c(series_id, lo, hi)
            cross join lateral (select * from %s g where g.series_id = c.series_id
                                and g.first_step >= c.lo and g.last_step <= c.hi offset 0) g
            """;

    private final AggregateRefresh refresh;
    private final Map<AggregateLevel, String> materializations;

    /**
     * @param materializations the hypertable that holds each level's materialized buckets. Reading it directly skips
     *                         the real-time half of the view (a third of a 50-series read, even with nothing left to
     *                         aggregate); the rest is read raw.
     */
    AggregatePointStore(JdbcTemplate jdbc, AggregateRefresh refresh, Map<AggregateLevel, String> materializations) {
        super(jdbc, STEP_IS_NEW_IN_HYPERTABLE, "");
        this.refresh = refresh;
        this.materializations = materializations;
    }

    @Override
    public StorageMode mode() {
        return StorageMode.TIMESCALEDB;
    }

    @Override
    public List<String> levels() {
        return Arrays.stream(AggregateLevel.values()).map(level -> "aggregate-" + level.label()).toList();
    }

    /**
     * Materializes the time range of the points soon after they commit (see {@link AggregateRefresh}), so that a
     * series just logged or imported is read from the levels rather than whole from its points.
     */
    @Override
    public Set<PointKey> insert(long[] series, long[] steps, long[] micros, double[] values) {
        Set<PointKey> stored = super.insert(series, steps, micros, values);
        if (!stored.isEmpty()) {
            LongSummaryStatistics times = LongStream.of(micros).summaryStatistics();
            refresh.soonAfterCommit(times.getMin(), times.getMax());
        }
        return stored;
    }

    /** The policies would refresh the levels within minutes, but a rewound run must not show the old points. */
    @Override
    void levelsRewound(long runId, long toStep, OffsetDateTime from, OffsetDateTime to) {
        refresh.afterCommit(from, to);
    }

    @Override
    public BucketPlan plan(Extent extent, int maxPoints) {
        return BucketPlan.ofAggregates(extent, maxPoints);
    }

    /** One query per aggregate level in use, since each level is a table of its own. */
    @Override
    public Map<Long, List<BucketRow>> readParts(Map<Long, BucketPlan> plans) {
        Map<AggregateLevel, Columns> ranges = new HashMap<>();
        plans.forEach((id, plan) -> ranges.computeIfAbsent(plan.level(), k -> new Columns(3))
                .add(id, plan.origin(), plan.last()));
        Map<Long, List<BucketRow>> read = new HashMap<>();
        ranges.forEach((level, range) -> {
            if (level == null) {
                readParts(RAW_PARTS.formatted(RANGES), range.arrays(), read);
            } else {
                readAggregated(level, range, read);
            }
        });
        return read;
    }

    /** A level's materialized buckets in the ranges (series_id, first, last), then raw points for the rest. */
    private void readAggregated(AggregateLevel level, Columns ranges, Map<Long, List<BucketRow>> read) {
        Map<Long, long[]> covered = new HashMap<>();  // per series, the first and last step of the buckets read
        String buckets = AGGREGATED.formatted(EpochMicros.sql("g.last_ts"), RANGES, materializations.get(level));
        jdbc.query(buckets, rs -> {
            collect(read, rs);
            long[] steps = covered.computeIfAbsent(rs.getLong(1), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            steps[0] = Math.min(steps[0], rs.getLong(8));
            steps[1] = Math.max(steps[1], rs.getLong(2));
        }, ranges.arrays().toArray());
        Columns ends = new Columns(3);
        for (long[] range : ranges.rows) {
            long[] steps = covered.get(range[0]);
            if (steps == null) {
                ends.add(range);
                continue;
            }
            if (range[1] < steps[0]) {
                ends.add(range[0], range[1], steps[0] - 1);
            }
            if (steps[1] < range[2]) {
                ends.add(range[0], steps[1] + 1, range[2]);
            }
        }
        if (!ends.rows.isEmpty()) {
            readParts(RAW_PARTS.formatted(RANGES), ends.arrays(), read);
        }
    }

    @Override
    public void applyPolicies(TrackstackProperties.StoragePolicies policies) {
        jdbc.queryForList("select remove_compression_policy('metric_point', if_exists => true)");
        jdbc.queryForList("select add_compression_policy('metric_point', compress_after => ?::interval)",
                interval(policies.compressAfter()));
        jdbc.queryForList("select remove_retention_policy('metric_point', if_exists => true)");
        if (policies.rawRetention() != null) {
            jdbc.queryForList("select add_retention_policy('metric_point', drop_after => ?::interval)",
                    interval(policies.rawRetention()));
        }
        log.info("Points: chunks compressed after {}, raw points kept {}", policies.compressAfter(),
                policies.rawRetention() == null ? "forever" : "for " + policies.rawRetention());
    }

    private static String interval(Duration duration) {
        return duration.toSeconds() + " seconds";
    }
}
