package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.system.OffsetCursor;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

/** The traces connection: filters, sort keys, paging and errors, over three traces of one project. */
class TraceQueryTests extends ApiTest {

    /** Starts at T0, 2 s, one LLM call of gpt-4o (10 + 5 tokens), session s-1. */
    private static final String FIRST = "11111111111111111111111111111111";
    /** Starts at T0 + 1 min, 0.5 s, an LLM call of claude (100 + 50 tokens) that fails. */
    private static final String SECOND = "22222222222222222222222222222222";
    /** Starts at T0 + 2 min, 5 s, a tool call only. */
    private static final String THIRD = "33333333333333333333333333333333";

    @BeforeEach
    void sendTraces() throws Exception {
        var request = request(List.of(),
                span(FIRST, "1000000000000001", null, "agent one", 0, 2000,
                        attribute("gen_ai.conversation.id", "s-1")),
                span(FIRST, "1000000000000002", "1000000000000001", "chat", 10, 100,
                        attribute("gen_ai.request.model", "gpt-4o"), attribute("gen_ai.usage.input_tokens", 10),
                        attribute("gen_ai.usage.output_tokens", 5)),
                span(SECOND, "2000000000000001", null, "agent two", 60_000, 500),
                span(SECOND, "2000000000000002", "2000000000000001", "chat", 60_010, 100,
                        attribute("gen_ai.request.model", "claude"), attribute("gen_ai.usage.input_tokens", 100),
                        attribute("gen_ai.usage.output_tokens", 50))
                        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                span(THIRD, "3000000000000001", null, "search the web", 120_000, 5000,
                        attribute("gen_ai.tool.name", "search")));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);
    }

    private GraphQlTester.Request<?> traces(Map<String, Object> filter, List<Map<String, Object>> orderBy) {
        return graphQl.documentName("traces").variable("project", project).variable("filter", filter)
                .variable("orderBy", orderBy);
    }

    private List<String> ids(Map<String, Object> filter, List<Map<String, Object>> orderBy) {
        return traces(filter, orderBy).execute().path("traces.edges[*].node.id").entityList(String.class).get();
    }

    @Test
    void shouldListTracesNewestFirstWithTheirAggregates() {
        assertThat(ids(null, null)).containsExactly(THIRD, SECOND, FIRST);
        Map<String, Object> second = traces(null, null).execute().path("traces.edges[1].node").entity(Map.class).get();
        assertThat(second).containsEntry("name", "agent two").containsEntry("status", "ERROR")
                .containsEntry("spanCount", 2).containsEntry("errorCount", 1).containsEntry("totalTokens", 150)
                .containsEntry("durationNanos", 500_000_000);
    }

    @Test
    void shouldFilterTraces() {
        assertThat(ids(Map.of("models", List.of("gpt-4o")), null)).containsExactly(FIRST);
        assertThat(ids(Map.of("status", List.of("ERROR")), null)).containsExactly(SECOND);
        assertThat(ids(Map.of("status", List.of("UNSET")), null)).containsExactly(THIRD, FIRST);
        assertThat(ids(Map.of("spanTypes", List.of("TOOL")), null)).containsExactly(THIRD);
        assertThat(ids(Map.of("spanTypes", List.of("LLM")), null)).containsExactly(SECOND, FIRST);
        assertThat(ids(Map.of("sessionId", "s-1"), null)).containsExactly(FIRST);
        assertThat(ids(Map.of("nameContains", "WEB"), null)).containsExactly(THIRD);
        assertThat(ids(Map.of("nameContains", "%"), null)).isEmpty();
        assertThat(ids(Map.of("from", "2026-12-01T10:00:30Z", "to", "2026-12-01T10:01:30Z"), null))
                .containsExactly(SECOND);
    }

    @Test
    void shouldSortTraces() {
        assertThat(ids(null, List.of(Map.of("field", "DURATION")))).containsExactly(THIRD, FIRST, SECOND);
        assertThat(ids(null, List.of(Map.of("field", "DURATION", "direction", "ASC"))))
                .containsExactly(SECOND, FIRST, THIRD);
        assertThat(ids(null, List.of(Map.of("field", "TOKENS")))).containsExactly(SECOND, FIRST, THIRD);
        assertThat(ids(null, List.of(Map.of("field", "START_TIME", "direction", "ASC"))))
                .containsExactly(FIRST, SECOND, THIRD);
    }

    @Test
    void shouldPageWithCursors() {
        GraphQlTester.Response page = traces(null, null).variable("first", 2).execute();
        page.path("traces.totalCount").entity(Integer.class).isEqualTo(3);
        page.path("traces.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        String cursor = page.path("traces.pageInfo.endCursor").entity(String.class).get();

        GraphQlTester.Response next = traces(null, null).variable("first", 2).variable("after", cursor).execute();
        next.path("traces.edges[*].node.id").entityList(String.class).containsExactly(FIRST);
        next.path("traces.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(false);
        traces(null, null).variable("after", OffsetCursor.encode(10)).execute()
                .path("traces.totalCount").entity(Integer.class).isEqualTo(3);
    }

    @Test
    void shouldListTheTracesAnySpanOfWhichIsInTheRun() throws Exception {
        String runId = createRun();
        String trace = "44444444444444444444444444444444";
        var request = request(List.of(), span(trace, "4000000000000001", null, "agent", 0, 100),
                span(trace, "4000000000000002", "4000000000000001", "step", 10, 10,
                        attribute("trackstack.run.id", runId)));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);

        GraphQlTester.Response response = graphQl.documentName("traces").variable("runId", runId).execute();
        response.path("traces.edges[*].node.id").entityList(String.class).containsExactly(trace);
        response.path("traces.edges[0].node.spanCount").entity(Integer.class).isEqualTo(2);
        response.path("traces.edges[0].node.runId").valueIsNull();
    }

    @Test
    void shouldAnswerErrorsWithCodes() {
        errorCode(graphQl.documentName("traces").execute(), "BAD_USER_INPUT");
        errorCode(traces(null, null).variable("first", 501).execute(), "LIMIT_EXCEEDED");
        errorCode(traces(null, null).variable("after", "nonsense").execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("traces").variable("runId", "x").execute(), "NOT_FOUND");
        graphQl.documentName("trace").variable("id", "not-hex").execute().path("trace").valueIsNull();
        graphQl.documentName("trace").variable("id", "44444444444444444444444444444444").execute().path("trace")
                .valueIsNull();
    }
}
