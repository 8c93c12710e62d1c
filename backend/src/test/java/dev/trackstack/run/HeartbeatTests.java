package dev.trackstack.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.test.tester.GraphQlTester;

class HeartbeatTests extends ApiTest {

    @Autowired
    private HeartbeatWatchdog watchdog;

    @Test
    void shouldMarkASilentRunCrashedAndReviveItOnTheNextHeartbeat() {
        String run = createRun();
        heartbeat(run).path("heartbeat.lastHeartbeatAt").entity(String.class).satisfies(t -> assertThat(t).isNotBlank());
        silence(run);

        assertThat(watchdog.markCrashed()).contains(Long.parseLong(run));
        status(run).path("run.status").entity(String.class).isEqualTo("CRASHED")
                .path("run.finishedAt").entity(String.class).satisfies(t -> assertThat(t).isNotBlank());

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
