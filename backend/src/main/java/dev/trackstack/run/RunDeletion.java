package dev.trackstack.run;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Removes runs with their points. Points have no foreign key (they are bulk data), so they go first; the
 * runs are locked before that, so that a concurrent logMetrics cannot slip points in between.
 */
@Service
public class RunDeletion {

    private final JdbcTemplate jdbc;

    RunDeletion(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Answers how many of the runs existed and were removed. */
    @Transactional
    public int deleteRuns(long[] runIds) {
        Long[] locked = jdbc.queryForList("select id from run where id = any(?) order by id for update", Long.class,
                runIds).toArray(Long[]::new);
        jdbc.update("delete from metric_point where series_id in "
                + "(select id from metric_series where run_id = any(?))", (Object) locked);
        return jdbc.update("delete from run where id = any(?)", (Object) locked);
    }

    /** Removes the runs of these models; deleting the models themselves is the caller's part. */
    @Transactional
    public void deleteRunsOfModels(long[] modelIds) {
        deleteRuns(jdbc.queryForList("select id from run where model_id = any(?)", Long.class, modelIds)
                .stream().mapToLong(Long::longValue).toArray());
    }
}
