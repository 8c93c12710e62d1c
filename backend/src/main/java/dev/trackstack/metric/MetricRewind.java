package dev.trackstack.metric;

import java.util.List;

import dev.trackstack.live.RunEvent;
import dev.trackstack.run.RunLifecycle;
import dev.trackstack.storage.PointStore;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.DatabaseTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Resuming a run from a checkpoint: the points and media items after the checkpoint's step go, so that the steps
 * logged again replace them instead of being ignored as duplicates (or, for media, kept beside them), and the
 * summaries are computed afresh.
 */
@Service
public class MetricRewind {

    private final JdbcTemplate jdbc;
    private final RunLifecycle lifecycle;
    private final PointStore store;

    MetricRewind(JdbcTemplate jdbc, RunLifecycle lifecycle, PointStore store) {
        this.jdbc = jdbc;
        this.lifecycle = lifecycle;
        this.store = store;
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
        long removed = store.rewind(runId, toStep);
        jdbc.update("delete from media_item where run_id = ? and step > ?", runId, toStep);
        if (removed > 0) {
            lifecycle.publish(RunEvent.Type.SUMMARY_CHANGED, runId);
        }
        return removed;
    }
}
