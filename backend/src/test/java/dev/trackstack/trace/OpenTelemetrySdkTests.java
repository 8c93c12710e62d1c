package dev.trackstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.ApiTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real OpenTelemetry Java SDK sends an agent's spans (an agent span, an LLM call, a failing tool call) with
 * GenAI attributes to the server, which the test reads back through GraphQL.
 */
class OpenTelemetrySdkTests extends ApiTest {

    /** Makes the agent's three spans with a tracer of this provider; answers the trace id. */
    private static String agentTrace(SdkTracerProvider provider) {
        Tracer tracer = provider.get("agent-test", "1.0");
        Span agent = tracer.spanBuilder("invoke_agent planner").setSpanKind(SpanKind.INTERNAL)
                .setAttribute("gen_ai.operation.name", "invoke_agent").setAttribute("gen_ai.agent.name", "planner")
                .setAttribute("gen_ai.conversation.id", "conversation-1").startSpan();
        try (Scope ignored = agent.makeCurrent()) {
            Span chat = tracer.spanBuilder("chat gpt-4o").setSpanKind(SpanKind.CLIENT)
                    .setAttribute("gen_ai.operation.name", "chat").setAttribute("gen_ai.provider.name", "openai")
                    .setAttribute("gen_ai.request.model", "gpt-4o").setAttribute("gen_ai.request.temperature", 0.2)
                    .setAttribute("gen_ai.usage.input_tokens", 120L).setAttribute("gen_ai.usage.output_tokens", 30L)
                    .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
                    .startSpan();
            chat.addEvent("gen_ai.client.inference.operation.details",
                    Attributes.of(AttributeKey.stringKey("gen_ai.output.type"), "text"));
            chat.end();
            Span tool = tracer.spanBuilder("execute_tool search").setAttribute("gen_ai.operation.name", "execute_tool")
                    .setAttribute("gen_ai.tool.name", "search").startSpan();
            tool.setStatus(StatusCode.ERROR, "search is down");
            tool.end();
        } finally {
            agent.end();
        }
        return agent.getSpanContext().getTraceId();
    }

    private SdkTracerProvider provider(SpanExporter exporter, String runId) {
        return SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), "agent-service",
                        AttributeKey.stringKey("trackstack.project"), project,
                        AttributeKey.stringKey("trackstack.run.id"), runId)))).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip"})
    void shouldStoreWhatTheSdkExportsOverHttpProtobuf(String compression) {
        String runId = createRun();
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint("http://localhost:" + port + "/v1/traces").setCompression(compression).build();
        String traceId;
        try (SdkTracerProvider provider = provider(exporter, runId)) {
            traceId = agentTrace(provider);
            assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
        }

        assertAgentTrace(traceId, runId);
    }

    @Test
    void shouldStoreTheSdksOtlpJson() throws Exception {
        String runId = createRun();
        List<SpanData> spans = new ArrayList<>();
        String traceId;
        try (SdkTracerProvider provider = provider(collecting(spans), runId)) {
            traceId = agentTrace(provider);
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        TraceRequestMarshaler.create(spans).writeJsonTo(json);

        HttpResponse<byte[]> response = Otlp.post(port, "/v1/traces", Otlp.JSON, json.toByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertAgentTrace(traceId, runId);
    }

    @SuppressWarnings("unchecked")
    private void assertAgentTrace(String traceId, String runId) {
        Map<String, Object> trace = graphQl.documentName("trace").variable("id", traceId).execute().path("trace")
                .entity(Map.class).get();
        assertThat(trace).containsEntry("project", project).containsEntry("runId", runId)
                .containsEntry("name", "invoke_agent planner").containsEntry("spanType", "AGENT")
                .containsEntry("sessionId", "conversation-1").containsEntry("serviceName", "agent-service")
                .containsEntry("status", "ERROR").containsEntry("spanCount", 3).containsEntry("errorCount", 1)
                .containsEntry("inputTokens", 120).containsEntry("outputTokens", 30).containsEntry("totalTokens", 150);
        Map<String, Map<String, Object>> spans = ((List<Map<String, Object>>) trace.get("spans")).stream()
                .collect(Collectors.toMap(s -> (String) s.get("name"), Function.identity()));
        Map<String, Object> agent = spans.get("invoke_agent planner");
        assertThat(agent.get("parentSpanId")).isNull();
        assertThat(trace.get("rootSpanId")).isEqualTo(agent.get("spanId"));
        Map<String, Object> chat = spans.get("chat gpt-4o");
        assertThat(chat).containsEntry("parentSpanId", agent.get("spanId")).containsEntry("spanType", "LLM")
                .containsEntry("kind", "CLIENT").containsEntry("operation", "chat").containsEntry("provider", "openai")
                .containsEntry("model", "gpt-4o").containsEntry("inputTokens", 120).containsEntry("outputTokens", 30)
                .containsEntry("scopeName", "agent-test").containsEntry("runId", runId);
        assertThat((Map<String, Object>) chat.get("attributes")).containsEntry("gen_ai.request.temperature", 0.2)
                .containsEntry("gen_ai.response.finish_reasons", List.of("stop"));
        assertThat((List<Map<String, Object>>) chat.get("events")).singleElement().satisfies(event -> assertThat(event)
                .containsEntry("name", "gen_ai.client.inference.operation.details")
                .containsEntry("attributes", Map.of("gen_ai.output.type", "text")));
        assertThat(spans.get("execute_tool search")).containsEntry("parentSpanId", agent.get("spanId"))
                .containsEntry("spanType", "TOOL").containsEntry("status", "ERROR")
                .containsEntry("statusMessage", "search is down");
        assertThat(graphQl.documentName("traces").variable("runId", runId).execute()
                .path("traces.edges[*].node.id").entityList(String.class).get()).containsExactly(traceId);
    }

    /** An exporter that keeps what it is given, for the SDK's own JSON encoding of it. */
    private static SpanExporter collecting(List<SpanData> into) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                into.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }
}
