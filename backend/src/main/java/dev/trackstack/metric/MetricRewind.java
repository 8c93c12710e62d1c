package dev.trackstack.metric;

import java.time.OffsetDateTime;
import java.util.List;

import dev.trackstack.live.RunEvent;
import dev.trackstack.run.RunLifecycle;
import dev.trackstack.storage.AggregateRefresh;
import dev.trackstack.storage.Storage;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.DatabaseTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Resuming a run from a checkpoint: the points after the checkpoint's step go, so that the steps logged
 * again replace them instead of being ignored as duplicates, and the summaries are computed afresh.
 */
@Service
public class MetricRewind {

    private static final String RECOMPUTE = "with summary as ("
            + MetricIngest.SUMMARIES.formatted("metric_point where series_id in "
                    + "(select id from metric_series where run_id = ?)") + """
            )
            update metric_series s set point_count = b.n, first_step = b.first_step, last_step = b.last_step,
                   last_value = b.last_value, min_step = b.min_step, min_value = b.min_value,
                   max_step = b.max_step, max_value = b.max_value
            from summary b where s.id = b.series_id
            """;

    /** Rebuilds the rollup bucket of each level that held the checkpoint's step, if it also held later ones. */
    private static final String REBUILD_ROLLUPS = Rollups.UPSERT.formatted("""
            unnest(?::int[]) as l(level)
            join metric_point p on p.series_id in (select id from metric_series where run_id = ?)
             and p.step between ? / l.level * l.level and ?
            where ? % l.level <> l.level - 1
            """);

    private final JdbcTemplate jdbc;
    private final RunLifecycle lifecycle;
    private final AggregateRefresh aggregates;
    private final boolean rollups;

    MetricRewind(JdbcTemplate jdbc, RunLifecycle lifecycle, AggregateRefresh aggregates, Storage storage) {
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
        this.aggregates = aggregates;
        this.rollups = storage.mode().rollupsAtIngest();
    }

    /** Answers how many points were removed. */
    @Transactional
    public long rewind(long runId, long toStep) {
        if (toStep < 0) {
            throw ApiException.badInput("toStep must be >= 0, got " + toStep);
        }
        DatabaseTime.allowLongStatements(jdbc.getDataSource());
        // An update lock waits for batches being logged to the run, and holds new ones off until done.
        List<Long> run = jdbc.queryForList("select id from run where id = ? for update", Long.class, runId);
        if (run.isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        Removed removed = jdbc.queryForObject("""
                with removed as (
                    delete from metric_point
                    where series_id in (select id from metric_series where run_id = ?) and step > ?
                    returning ts
                )
                select count(*), min(ts), max(ts) from removed
                """, (rs, i) -> new Removed(rs.getLong(1), rs.getObject(2, OffsetDateTime.class),
                rs.getObject(3, OffsetDateTime.class)), runId, toStep);
        if (removed.count() > 0) {
            jdbc.update("""
                    update metric_series set point_count = 0, first_step = null, last_step = null, last_value = null,
                           min_step = null, min_value = null, max_step = null, max_value = null
                    where run_id = ?
                    """, runId);
            jdbc.update(RECOMPUTE, runId);
            if (rollups) {
                jdbc.update("delete from metric_rollup where series_id in "
                        + "(select id from metric_series where run_id = ?) and bucket > ? - level + 1", runId, toStep);
                jdbc.update(REBUILD_ROLLUPS, Rollups.LEVELS, runId, toStep, toStep, toStep);
            } else {
                aggregates.afterCommit(removed.from(), removed.to());
            }
            lifecycle.publish(RunEvent.Type.SUMMARY_CHANGED, runId);
        }
        return removed.count();
    }

    private record Removed(long count, OffsetDateTime from, OffsetDateTime to) {
    }
}
