package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

/**
 * LLM usage over four calls: on 2026-12-01 gpt-house twice (100 ms, and 300 ms failing) and claude once (200 ms);
 * on 2026-12-02 gpt-house once (400 ms, in a trace of the run). A tool span is no LLM call. Neither model has a
 * price, so the costs are those the spans carry.
 */
class LlmUsageTests extends ApiTest {

    private static final long DAY_MS = 24 * 3600 * 1000;

    private String runId;

    private static Span.Builder call(String trace, String spanId, String model, long startMs, long durationMs,
            long input, long output, KeyValue... more) {
        return span(trace, spanId, null, "chat", startMs, durationMs, attribute("gen_ai.request.model", model),
                attribute("gen_ai.usage.input_tokens", input), attribute("gen_ai.usage.output_tokens", output))
                .addAllAttributes(List.of(more));
    }

    @BeforeEach
    void sendCalls() throws Exception {
        runId = createRun();
        String day1 = "11111111111111111111111111111111";
        String day2 = "22222222222222222222222222222222";
        var request = request(List.of(),
                call(day1, "1000000000000001", "gpt-house", 0, 100, 10, 5, attribute("llm.cost.total", "0.5")),
                call(day1, "1000000000000002", "gpt-house", 1000, 300, 20, 10)
                        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                call(day1, "1000000000000003", "claude", 2000, 200, 1, 1),
                span(day1, "1000000000000004", null, "search", 3000, 50, attribute("gen_ai.tool.name", "search")),
                call(day2, "2000000000000001", "gpt-house", DAY_MS, 400, 40, 20, attribute("trackstack.run.id", runId)));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);
    }

    private GraphQlTester.Request<?> usage(List<String> groupBy) {
        GraphQlTester.Request<?> request = graphQl.documentName("llmUsage").variable("project", project);
        return groupBy == null ? request : request.variable("groupBy", groupBy);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(GraphQlTester.Request<?> request) {
        return (List<Map<String, Object>>) (List<?>) request.execute().path("llmUsage").entityList(Map.class).get();
    }

    @Test
    void shouldCountCallsPerModelAndDay() {
        List<Map<String, Object>> rows = rows(usage(null));

        assertThat(rows).extracting(row -> row.get("day") + " " + row.get("model"))
                .containsExactly("2026-12-01 claude", "2026-12-01 gpt-house", "2026-12-02 gpt-house");
        assertThat(rows.get(1)).containsEntry("calls", 2).containsEntry("errorCount", 1)
                .containsEntry("errorRate", 0.5).containsEntry("inputTokens", 30).containsEntry("outputTokens", 15)
                .containsEntry("cost", 0.5).containsEntry("latencyP50Nanos", 100_000_000)
                .containsEntry("latencyP95Nanos", 300_000_000);
        assertThat(rows.get(0)).containsEntry("calls", 1).containsEntry("errorRate", 0.0).containsEntry("cost", null);
    }

    @Test
    void shouldGroupByModelByDayOrNothing() {
        List<Map<String, Object>> models = rows(usage(List.of("MODEL")));
        assertThat(models).extracting(row -> row.get("model")).containsExactly("claude", "gpt-house");
        assertThat(models.get(1)).containsEntry("day", null).containsEntry("calls", 3)
                .containsEntry("latencyP50Nanos", 300_000_000).containsEntry("latencyP95Nanos", 400_000_000);

        assertThat(rows(usage(List.of("DAY")))).extracting(row -> row.get("day") + " " + row.get("calls"))
                .containsExactly("2026-12-01 3", "2026-12-02 1");
        assertThat(rows(usage(List.of()))).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("model", null).containsEntry("day", null).containsEntry("calls", 4)
                .containsEntry("errorCount", 1).containsEntry("errorRate", 0.25).containsEntry("inputTokens", 71));
    }

    @Test
    void shouldKeepToTheTimeRangeAndTheRun() {
        assertThat(rows(usage(List.of()).variable("from", "2026-12-01T10:00:01Z")
                .variable("to", "2026-12-02T00:00:00Z"))).singleElement()
                .satisfies(row -> assertThat(row).containsEntry("calls", 2));
        assertThat(rows(graphQl.documentName("llmUsage").variable("runId", runId)))
                .singleElement().satisfies(row -> assertThat(row).containsEntry("model", "gpt-house")
                        .containsEntry("day", "2026-12-02").containsEntry("calls", 1));
        assertThat(rows(usage(null).variable("from", "2027-01-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void shouldNeedAProjectOrARun() {
        errorCode(graphQl.documentName("llmUsage").execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("llmUsage").variable("runId", "x").execute(), "NOT_FOUND");
    }
}
