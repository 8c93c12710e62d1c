package dev.trackstack.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class RunFailureTests extends ApiTest {

    private static final String FAIL = """
            mutation($runId: ID!, $status: RunStatus!, $failure: RunFailureInput) {
              updateRunStatus(runId: $runId, status: $status, failure: $failure) {
                status failure { type message traceback }
              }
            }""";

    private GraphQlTester.Response update(String run, String status, Map<String, Object> failure) {
        return graphQl.document(FAIL).variable("runId", run).variable("status", status).variable("failure", failure)
                .execute();
    }

    @Test
    void shouldKeepWhyARunFailedUntilItsStatusChanges() {
        String run = createRun();
        Map<String, Object> failure = Map.of("type", "torch.OutOfMemoryError", "message", "CUDA out of memory",
                "traceback", "Traceback (most recent call last):\n  File \"train.py\", line 3\n");

        update(run, "FAILED", failure).path("updateRunStatus.status").entity(String.class).isEqualTo("FAILED")
                .path("updateRunStatus.failure").entity(Map.class).isEqualTo(failure);
        graphQl.document("query($id: ID!) { run(id: $id) { failure { type message } } }").variable("id", run)
                .execute().path("run.failure.type").entity(String.class).isEqualTo("torch.OutOfMemoryError");

        // Resumed, it is running again and the old failure no longer applies.
        update(run, "RUNNING", null).path("updateRunStatus.failure").valueIsNull();
    }

    @Test
    void shouldRefuseAFailureWithAnotherStatusOrOverItsLimits() {
        String run = createRun();
        assertThat(errorCode(update(run, "COMPLETED", Map.of("type", "ValueError")), "BAD_USER_INPUT"))
                .contains("FAILED");
        errorCode(update(run, "FAILED", Map.of("type", " ")), "BAD_USER_INPUT");
        assertThat(errorCode(update(run, "FAILED", Map.of("type", "E", "traceback",
                "x".repeat(RunFailure.MAX_TRACEBACK_CHARS + 1))), "LIMIT_EXCEEDED")).contains("failure.traceback");
        errorCode(update(run, "FAILED", Map.of("type", "E", "message", "m".repeat(RunFailure.MAX_MESSAGE_CHARS + 1))),
                "LIMIT_EXCEEDED");
        // Nothing of the refused calls was written.
        graphQl.document("query($id: ID!) { run(id: $id) { status failure { type } } }").variable("id", run)
                .execute().path("run.status").entity(String.class).isEqualTo("RUNNING")
                .path("run.failure").valueIsNull();
    }
}
