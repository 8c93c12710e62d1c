package dev.trackstack.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.test.tester.GraphQlTester;

class HeartbeatTests extends ApiTest {

    @Autowired
    private HeartbeatWatchdog watchdog;

    @Autowired
    private DataSource dataSource;

    @Test
    void shouldMarkASilentRunCrashedAndReviveItOnTheNextHeartbeat() {
        String run = createRun();
        heartbeat(run).path("heartbeat.lastHeartbeatAt").entity(String.class).satisfies(t -> assertThat(t).isNotBlank());
        silence(run);

        assertThat(watchdog.markCrashed()).contains(Long.parseLong(run));
        // Finished at its last sign of life, an hour ago, not when the watchdog noticed.
        java.time.OffsetDateTime lastHeartbeat = jdbc.queryForObject("select last_heartbeat_at from run where id = ?",
                java.time.OffsetDateTime.class, Long.parseLong(run));
        status(run).path("run.status").entity(String.class).isEqualTo("CRASHED")
                .path("run.finishedAt").entity(String.class)
                .satisfies(t -> assertThat(java.time.OffsetDateTime.parse(t))
                        .isEqualTo(lastHeartbeat.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));

        heartbeat(run).path("heartbeat.status").entity(String.class).isEqualTo("RUNNING");
        status(run).path("run.finishedAt").valueIsNull();
    }

    @Test
    void shouldReviveACrashedRunWhenPointsArrive() {
        String run = createRun();
        heartbeat(run);
        silence(run);
        watchdog.markCrashed();

        logMetrics(run, List.of(point("loss", null, 0, 1.0)), null);

        status(run).path("run.status").entity(String.class).isEqualTo("RUNNING");
    }

    @Test
    void shouldLeaveRunsAloneThatNeverSentAHeartbeatOrAreFinished() {
        String quiet = createRun();
        String finished = createRun();
        heartbeat(finished);
        graphQl.documentName("updateRunStatus").variable("status", "COMPLETED")
                .variable("runId", finished).execute();
        silence(finished);

        List<Long> crashed = watchdog.markCrashed();

        assertThat(crashed).doesNotContain(Long.parseLong(quiet), Long.parseLong(finished));
        status(quiet).path("run.status").entity(String.class).isEqualTo("RUNNING");
        status(finished).path("run.status").entity(String.class).isEqualTo("COMPLETED");
        errorCode(heartbeat("8888888888"), "NOT_FOUND");
    }

    /** The heartbeat waits for a status change that is being committed, then must not undo it. */
    @Test
    void shouldNotRevertAStatusSetWhileAHeartbeatWaits() throws Exception {
        String run = createRun();
        heartbeat(run);
        CompletableFuture<GraphQlTester.Response> beat;
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement finish = other.prepareStatement(
                    "update run set status = 'COMPLETED', finished_at = now() where id = ?")) {
                finish.setLong(1, Long.parseLong(run));
                finish.executeUpdate();
            }
            beat = CompletableFuture.supplyAsync(() -> heartbeat(run));
            while (!beat.isDone() && !waitsForALock(run)) {
                Thread.onSpinWait();
            }
            other.commit();
        }

        beat.join().path("heartbeat.status").entity(String.class).isEqualTo("COMPLETED");
        status(run).path("run.status").entity(String.class).isEqualTo("COMPLETED")
                .path("run.finishedAt").entity(String.class).satisfies(t -> assertThat(t).isNotBlank());
    }

    /** Whether a statement on the run's row is waiting for the row lock that the test holds. */
    private boolean waitsForALock(String run) {
        return Boolean.TRUE.equals(jdbc.queryForObject("""
                select exists (select from pg_stat_activity where wait_event_type = 'Lock'
                               and query ilike 'update run%' and pid <> pg_backend_pid())
                """, Boolean.class));
    }

    private GraphQlTester.Response heartbeat(String run) {
        return graphQl.documentName("heartbeat")
                .variable("runId", run).execute();
    }

    private GraphQlTester.Response status(String run) {
        return graphQl.documentName("run").variable("id", run)
                .execute();
    }

    /** As if the last heartbeat were an hour old. */
    private void silence(String run) {
        jdbc.update("update run set last_heartbeat_at = now() - interval '1 hour' where id = ?",
                Long.parseLong(run));
    }
}
