package dev.trackstack.metric;

import java.util.List;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.RunEvent;
import dev.trackstack.system.ApiException;
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

    private final JdbcTemplate jdbc;
    private final LiveEvents live;

    MetricRewind(JdbcTemplate jdbc, LiveEvents live) {
        this.jdbc = jdbc;
        this.live = live;
    }

    /** Answers how many points were removed. */
    @Transactional
    public long rewind(long runId, long toStep) {
        if (toStep < 0) {
            throw ApiException.badInput("toStep must be >= 0, got " + toStep);
        }
        // An update lock waits for batches being logged to the run, and holds new ones off until done.
        List<Long> run = jdbc.queryForList("select id from run where id = ? for update", Long.class, runId);
        if (run.isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        Long removed = jdbc.queryForObject("""
                with removed as (
                    delete from metric_point
                    where series_id in (select id from metric_series where run_id = ?) and step > ?
                    returning 1
                )
                select count(*) from removed
                """, Long.class, runId, toStep);
        if (removed > 0) {
            jdbc.update("""
                    update metric_series set point_count = 0, first_step = null, last_step = null, last_value = null,
                           min_step = null, min_value = null, max_step = null, max_value = null
                    where run_id = ?
                    """, runId);
            jdbc.update(RECOMPUTE, runId);
            live.runChanged(RunEvent.Type.SUMMARY_CHANGED, runId);
        }
        return removed;
    }
}
