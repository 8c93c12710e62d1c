package dev.trackstack.run;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.RunEvent;
import dev.trackstack.system.ApiException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The one place that changes a run's status, and publishes what happens to runs. Status changes other than the
 * user's own are targeted updates that re-check the status they start from, so that none overwrites a status set
 * concurrently (a heartbeat never turns a FINISHED or FAILED run back to RUNNING).
 */
@Service
public class RunLifecycle {

    private final JdbcTemplate jdbc;
    private final RunRepository runs;
    private final LiveEvents live;

    RunLifecycle(JdbcTemplate jdbc, RunRepository runs, LiveEvents live) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.live = live;
    }

    /** The user sets the status; leaving RUNNING stamps the finish time, returning to it clears it. */
    public void changeStatus(Run run, RunStatus status) {
        changeStatus(run, status, null);
    }

    /** As {@link #changeStatus(Run, RunStatus)}, with why the run failed (for FAILED only; null clears it). */
    void changeStatus(Run run, RunStatus status, String failure) {
        if (failure != null && status != RunStatus.FAILED) {
            throw ApiException.badInput("A failure goes with status FAILED, not " + status);
        }
        boolean changed = run.getStatus() != status || !Objects.equals(run.getFailure(), failure);
        run.changeStatus(status, failure);
        if (changed) {
            publish(RunEvent.Type.STATUS_CHANGED, run.getId());
        }
    }

    /** The run's process is alive: answers false for no such run. */
    boolean heartbeat(long runId) {
        return revive(runId) || jdbc.update("update run set last_heartbeat_at = now() where id = ?", runId) == 1;
    }

    /** The run's process is alive after all: a CRASHED run is RUNNING again. Answers whether it was CRASHED. */
    public boolean revive(long runId) {
        boolean revived = jdbc.update("""
                update run set status = 'RUNNING', finished_at = null, last_heartbeat_at = now()
                where id = ? and status = 'CRASHED'
                """, runId) == 1;
        if (revived) {
            publish(RunEvent.Type.STATUS_CHANGED, runId);
        }
        return revived;
    }

    /**
     * RUNNING runs whose last heartbeat is older than the timeout become CRASHED, finished at that heartbeat (their
     * last sign of life, not when the timeout noticed); answers their ids.
     */
    List<Long> crashSilent(Duration timeout) {
        List<Long> crashed = jdbc.queryForList("""
                update run set status = 'CRASHED', finished_at = last_heartbeat_at
                where status = 'RUNNING' and last_heartbeat_at < now() - ? * interval '1 millisecond'
                returning id
                """, Long.class, timeout.toMillis());
        crashed.forEach(id -> publish(RunEvent.Type.STATUS_CHANGED, id));
        return crashed;
    }

    /** Tells subscribers (here and on the other instances) of a change to a run that still exists. */
    public void publish(RunEvent.Type type, long runId) {
        live.runChanged(new RunEvent(type, runId, runs.findProjectName(runId)));
    }
}
