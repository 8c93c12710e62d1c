package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.trackstack.ApiTest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;

/** The trace summaries kept at ingest: right for a trace sent in parts, retried, or sent in parts at once. */
class TraceSummaryTests extends ApiTest {

    private static final String TRACE = "5b8efff798038103d269b633813fc60c";
    private static final String ROOT = "1000000000000000";

    private void send(ExportTraceServiceRequest request) throws Exception {
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> trace() {
        return graphQl.documentName("trace").variable("id", TRACE).variable("project", project).execute()
                .path("trace").entity(Map.class).get();
    }

    @Test
    void shouldSummariseATraceSentInPartsAndRetried() throws Exception {
        send(request(List.of(), span(TRACE, "1000000000000001", ROOT, "chat", 100, 300,
                attribute("gen_ai.request.model", "gpt-4o"), attribute("gen_ai.usage.input_tokens", 10),
                attribute("gen_ai.usage.output_tokens", 5))));
        assertThat(trace()).containsEntry("name", "chat").containsEntry("rootSpanId", "1000000000000001")
                .containsEntry("spanCount", 1).containsEntry("status", "UNSET");

        ExportTraceServiceRequest rest = request(List.of(attribute("service.name", "agent")),
                span(TRACE, ROOT, null, "agent", 0, 1000, attribute("gen_ai.operation.name", "invoke_agent")),
                span(TRACE, "1000000000000002", ROOT, "tool", 500, 100, attribute("gen_ai.tool.name", "search"),
                        attribute("gen_ai.usage.input_tokens", 20))
                        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)));
        send(rest);
        send(rest);

        assertThat(trace()).containsEntry("name", "agent").containsEntry("rootSpanId", ROOT)
                .containsEntry("spanType", "AGENT").containsEntry("serviceName", "agent")
                .containsEntry("spanCount", 3).containsEntry("errorCount", 1).containsEntry("status", "ERROR")
                .containsEntry("inputTokens", 30).containsEntry("outputTokens", 5).containsEntry("totalTokens", 35)
                .containsEntry("durationNanos", 1_000_000_000).containsEntry("startTime", "2026-12-01T10:00:00.000Z");
        assertThat(jdbc.queryForObject("select count(*) from trace_summary t join project p on p.id = t.project_id "
                + "where p.name = ?", Integer.class, project)).isEqualTo(1);
        assertThat(graphQl.documentName("traces").variable("project", project)
                .variable("filter", Map.of("models", List.of("gpt-4o"), "spanTypes", List.of("TOOL"))).execute()
                .path("traces.totalCount").entity(Integer.class).get()).isEqualTo(1);
    }

    @Test
    void shouldCountEverySpanOfATraceWhosePartsArriveAtOnce() throws Exception {
        int parts = 4; // trackstack.tracing.concurrent-requests: a fifth would be answered 429
        ExecutorService executor = Executors.newFixedThreadPool(parts);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                String spanId = "20000000000000%02d".formatted(i);
                sent.add(executor.submit(() -> {
                    send(request(List.of(), span(TRACE, spanId, ROOT, "part", 10, 10,
                            attribute("gen_ai.usage.input_tokens", 1))));
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get();
            }
        } finally {
            executor.shutdown();
        }

        assertThat(trace()).containsEntry("spanCount", parts).containsEntry("inputTokens", parts);
    }
}
