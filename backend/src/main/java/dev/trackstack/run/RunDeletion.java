package dev.trackstack.run;

import java.util.Arrays;
import java.util.List;

import dev.trackstack.artifact.ArtifactDeletion;
import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.RunEvent;
import dev.trackstack.storage.PointStore;
import dev.trackstack.system.DatabaseTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Removes runs with their points, rollups and the artifact versions they logged. Points have no foreign key (they are bulk data), so they go
 * first; the runs are locked before that, so that a concurrent logMetrics cannot slip points in between.
 */
@Service
public class RunDeletion {

    private final JdbcTemplate jdbc;
    private final RunRepository runs;
    private final LiveEvents live;
    private final PointStore store;
    private final ArtifactDeletion artifacts;

    RunDeletion(JdbcTemplate jdbc, RunRepository runs, LiveEvents live, PointStore store, ArtifactDeletion artifacts) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.live = live;
        this.store = store;
        this.artifacts = artifacts;
    }

    /** Answers how many of the runs existed and were removed. */
    @Transactional
    public int deleteRuns(long[] runIds) {
        DatabaseTime.allowLongStatements(jdbc.getDataSource());
        Long[] locked = jdbc.queryForList("select id from run where id = any(?) order by id for update", Long.class,
                runIds).toArray(Long[]::new);
        List<RunEvent> deleted = Arrays.stream(locked)
                .map(id -> new RunEvent(RunEvent.Type.DELETED, id, runs.findProjectName(id))).toList();
        store.deletePoints(locked);
        // The artifact versions a run logged go with it (their blobs once nothing else holds them).
        artifacts.deleteLoggedBy(locked);
        deleted.forEach(live::runChanged);
        return jdbc.update("delete from run where id = any(?)", (Object) locked);
    }

    /** Removes the runs of these models; deleting the models themselves is the caller's part. */
    @Transactional
    public void deleteRunsOfModels(long[] modelIds) {
        deleteRuns(jdbc.queryForList("select id from run where model_id = any(?)", Long.class, modelIds)
                .stream().mapToLong(Long::longValue).toArray());
    }
}
