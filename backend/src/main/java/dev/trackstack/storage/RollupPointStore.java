package dev.trackstack.storage;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.TrackstackProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Points with step rollups that ingest keeps current in the points' own transaction ({@link Rollups}): plain
 * PostgreSQL, or TimescaleDB without its community features, where the points table is a hypertable.
 */
class RollupPointStore extends SqlPointStore {

    private static final Logger log = LoggerFactory.getLogger(RollupPointStore.class);

    private static final String FOLD = ", rolled as (\n"
            + Rollups.UPSERT.formatted("inserted p cross join unnest(?::int[]) as l(level)") + ")\n";

    /** Rebuilds the rollup bucket of each level that held the checkpoint's step, if it also held later ones. */
    private static final String REBUILD_ROLLUPS = Rollups.UPSERT.formatted("""
            unnest(?::int[]) as l(level)
            join metric_point p on p.series_id in (select id from metric_series where run_id = ?)
             and p.step between ? / l.level * l.level and ?
            where ? % l.level <> l.level - 1
            """);

    private static final String ROLLUP_PARTS = """
            select r.series_id, r.last_step, r.last_ts, r.last_value, r.min_value, r.max_value, r.n
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) as c(series_id, level, lo, hi)
            cross join lateral (select * from metric_rollup r where r.series_id = c.series_id and r.level = c.level
                                and r.bucket between c.lo and c.hi offset 0) r
            """;

    private final StorageMode mode;

    RollupPointStore(JdbcTemplate jdbc, StorageMode mode) {
        super(jdbc, mode.hypertable() ? STEP_IS_NEW_IN_HYPERTABLE : "", FOLD);
        this.mode = mode;
    }

    @Override
    public StorageMode mode() {
        return mode;
    }

    @Override
    public List<String> levels() {
        return Arrays.stream(Rollups.LEVELS).mapToObj(level -> "rollup-" + level).toList();
    }

    @Override
    Object[] foldArguments() {
        return new Object[] {Rollups.LEVELS};
    }

    @Override
    public void deletePoints(Long[] runIds) {
        super.deletePoints(runIds);
        jdbc.update("delete from metric_rollup where series_id in "
                + "(select id from metric_series where run_id = any(?))", (Object) runIds);
    }

    @Override
    void levelsRewound(long runId, long toStep, OffsetDateTime from, OffsetDateTime to) {
        jdbc.update("delete from metric_rollup where series_id in "
                + "(select id from metric_series where run_id = ?) and bucket > ? - level + 1", runId, toStep);
        jdbc.update(REBUILD_ROLLUPS, Rollups.LEVELS, runId, toStep, toStep, toStep);
    }

    @Override
    public BucketPlan plan(Extent extent, int maxPoints) {
        return BucketPlan.ofRollups(extent, maxPoints);
    }

    /** One query for all series: raw parts and rollup parts alike. */
    @Override
    public Map<Long, List<BucketRow>> readParts(Map<Long, BucketPlan> plans) {
        Columns rawParts = new Columns(3);
        Columns rollupParts = new Columns(4);
        plans.forEach((id, plan) -> plan.parts().forEach(part -> {
            if (part.level() == 0) {
                rawParts.add(id, part.lo(), part.hi());
            } else {
                rollupParts.add(id, part.level(), part.lo(), part.hi());
            }
        }));
        List<long[]> arguments = new ArrayList<>(rawParts.arrays());
        arguments.addAll(rollupParts.arrays());
        Map<Long, List<BucketRow>> read = new HashMap<>();
        readParts(RAW_PARTS.formatted(RANGES) + " union all " + ROLLUP_PARTS, arguments, read);
        return read;
    }

    @Override
    public void applyPolicies(TrackstackProperties.StoragePolicies policies) {
        if (policies.rawRetention() != null) {
            log.warn("trackstack.storage.raw-retention needs TimescaleDB with its community features; "
                    + "with {} every point is kept", mode);
        }
    }
}
