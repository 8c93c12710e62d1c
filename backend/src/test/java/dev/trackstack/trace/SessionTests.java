package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

/**
 * Sessions: the traces of a project grouped by their session id, and each session's traces. The model has no
 * price, so the costs are those the spans carry.
 */
class SessionTests extends ApiTest {

    /** Session s-1 on its root; starts at T0, 1 s; 10 + 5 tokens, cost 0.25. */
    private static final String FIRST = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    /** Session s-1 on a child span only; starts at T0 + 1 min, 2 s; 20 + 10 tokens; fails. */
    private static final String SECOND = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    /** Session s-2; starts at T0 + 30 s, 0.5 s; in the run. */
    private static final String OTHER = "cccccccccccccccccccccccccccccccc";
    /** No session. */
    private static final String NONE = "dddddddddddddddddddddddddddddddd";

    private String runId;

    @BeforeEach
    void sendTraces() throws Exception {
        runId = createRun();
        var request = request(List.of(),
                span(FIRST, "a000000000000001", null, "turn 1", 0, 1000, attribute("gen_ai.conversation.id", "s-1")),
                span(FIRST, "a000000000000002", "a000000000000001", "chat", 10, 100,
                        attribute("gen_ai.request.model", "gpt-house"), attribute("gen_ai.usage.input_tokens", 10),
                        attribute("gen_ai.usage.output_tokens", 5), attribute("llm.cost.total", "0.25")),
                span(SECOND, "b000000000000001", null, "turn 2", 60_000, 2000),
                span(SECOND, "b000000000000002", "b000000000000001", "chat", 60_010, 100,
                        attribute("session.id", "s-1"), attribute("gen_ai.request.model", "gpt-house"),
                        attribute("gen_ai.usage.input_tokens", 20), attribute("gen_ai.usage.output_tokens", 10))
                        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                span(OTHER, "c000000000000001", null, "other", 30_000, 500, attribute("session.id", "s-2"),
                        attribute("trackstack.run.id", runId)),
                span(NONE, "d000000000000001", null, "alone", 90_000, 500));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);
    }

    private GraphQlTester.Request<?> session(String id) {
        return graphQl.documentName("session").variable("id", id).variable("project", project);
    }

    @Test
    void shouldListSessionsMostRecentlyActiveFirstWithTheirAggregates() {
        GraphQlTester.Response response = graphQl.documentName("sessions").variable("project", project).execute();

        response.path("sessions.totalCount").entity(Integer.class).isEqualTo(2);
        response.path("sessions.edges[*].node.id").entityList(String.class).containsExactly("s-1", "s-2");
        Map<String, Object> first = response.path("sessions.edges[0].node").entity(Map.class).get();
        assertThat(first).containsEntry("project", project).containsEntry("traceCount", 2)
                .containsEntry("errorCount", 1).containsEntry("inputTokens", 30).containsEntry("outputTokens", 15)
                .containsEntry("totalTokens", 45).containsEntry("cost", 0.25)
                .containsEntry("startTime", "2026-12-01T10:00:00.000Z")
                .containsEntry("endTime", "2026-12-01T10:01:02.000Z");
        response.path("sessions.edges[0].node.traces.edges[*].node.id").entityList(String.class)
                .containsExactly(FIRST, SECOND);
    }

    @Test
    void shouldGiveATraceTheSessionOfAnyOfItsSpansWhenItsRootHasNone() {
        graphQl.documentName("trace").variable("id", SECOND).variable("project", project).execute()
                .path("trace.sessionId").entity(String.class).isEqualTo("s-1");
        graphQl.documentName("trace").variable("id", NONE).variable("project", project).execute()
                .path("trace.sessionId").valueIsNull();
    }

    @Test
    void shouldPageSessionsAndTheirTraces() {
        GraphQlTester.Response page = graphQl.documentName("sessions").variable("project", project)
                .variable("first", 1).execute();
        page.path("sessions.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        String cursor = page.path("sessions.pageInfo.endCursor").entity(String.class).get();
        graphQl.documentName("sessions").variable("project", project).variable("first", 1).variable("after", cursor)
                .execute().path("sessions.edges[*].node.id").entityList(String.class).containsExactly("s-2");

        GraphQlTester.Response traces = session("s-1").variable("first", 1).execute();
        traces.path("session.traceCount").entity(Integer.class).isEqualTo(2);
        traces.path("session.traces.totalCount").entity(Integer.class).isEqualTo(2);
        traces.path("session.traces.edges[*].node.id").entityList(String.class).containsExactly(FIRST);
        String after = traces.path("session.traces.pageInfo.endCursor").entity(String.class).get();
        session("s-1").variable("first", 1).variable("after", after).execute()
                .path("session.traces.edges[*].node.id").entityList(String.class).containsExactly(SECOND);
    }

    @Test
    void shouldListTheSessionsOfARun() {
        GraphQlTester.Response response = graphQl.documentName("sessions").variable("runId", runId).execute();

        response.path("sessions.edges[*].node.id").entityList(String.class).containsExactly("s-2");
        response.path("sessions.edges[0].node.traces.edges[*].node.id").entityList(String.class)
                .containsExactly(OTHER);
    }

    @Test
    void shouldAnswerNullOrErrorsForWhatIsNotThere() {
        session("s-3").execute().path("session").valueIsNull();
        graphQl.documentName("session").variable("id", "s-1").variable("project", project + "-other").execute()
                .path("session").valueIsNull();
        errorCode(graphQl.documentName("sessions").execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("sessions").variable("project", project).variable("first", 501).execute(),
                "LIMIT_EXCEEDED");
    }
}
