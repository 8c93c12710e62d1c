package dev.trackstack.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

/**
 * SPANS (OTLP ingest, with the COPY ceiling of the span table) and TRACE_LIST (the trace list of a large project).
 * The traces are an agent's as OpenTelemetry's GenAI conventions describe them, 10 spans each: the agent's span,
 * and under it LLM calls (model, tokens, input and output messages of a few hundred bytes) alternating with tool
 * calls (arguments and result; 3% fail). They go to /v1/traces in protobuf, 512 spans a request, as an SDK's batch
 * processor sends them, cut wherever the batch ends.
 */
final class Traces {

    static final int SPANS_PER_REQUEST = 512;
    private static final int SPANS_PER_TRACE = 10;
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-pro"};
    private static final String[] PROVIDERS = {"openai", "openai", "anthropic", "gcp.gemini"};
    private static final String[] TOOLS = {"search_orders", "lookup_customer", "get_shipping_status", "issue_refund"};
    private static final String INPUT_MESSAGES = """
            [{"role":"system","parts":[{"type":"text","content":"You are the support agent of an online shop. Answer \
            briefly and politely; look orders, customers and shipments up with the tools before you answer."}]},\
            {"role":"user","parts":[{"type":"text","content":"Where is my order 4711? It should have arrived on \
            Monday and the tracking page has not changed for three days."}]}]""";
    private static final String OUTPUT_MESSAGES = """
            [{"role":"assistant","parts":[{"type":"text","content":"Your order 4711 left our warehouse on Friday; the \
            carrier reports a delay in the regional hub and expects to deliver it tomorrow before noon."}],\
            "finish_reason":"stop"}]""";
    private static final String TOOL_RESULT = """
            {"order_id":"4711","status":"in_transit","carrier":"DHL","last_scan":"2026-11-28T09:14:00Z",\
            "location":"Leipzig hub","estimated_delivery":"2026-12-04","items":[{"sku":"KB-220","qty":1}]}""";
    private static final Map<String, Object> RESOURCE = Map.of("service.name", "support-agent",
            "service.version", "2.3.1", "deployment.environment.name", "production",
            "telemetry.sdk.name", "opentelemetry", "telemetry.sdk.language", "python",
            "telemetry.sdk.version", "1.38.0");
    private static final String SCOPE = "opentelemetry.instrumentation.openai_v2";
    private static final String SCOPE_VERSION = "2.1b0";
    /** The traces start a day ago, one every 50 ms per exporter. */
    private static final long FIRST_START_NANOS = (System.currentTimeMillis() - 86_400_000L) * 1_000_000L;

    private static final String TRACE_LIST = """
            query($p: String!, $m: String!) {
              traces(project: $p, filter: {models: [$m]}, orderBy: [{field: DURATION, direction: DESC}], first: 50) {
                totalCount
                edges { node { id name spanType model status spanCount errorCount totalTokens durationNanos startTime } }
              }
            }""";

    private Traces() {
    }

    /**
     * SPANS: {@code exporters} exporters each sending requests of 512 spans for the duration (after a warm-up),
     * with the figures of {@link Ingest#writers}: call latency there includes building and encoding the request;
     * the latency of the HTTP requests alone, and how many were answered 429, beside it.
     */
    static Map<String, Object> ingest(String url, int exporters, Duration warmUp, Duration measured) throws Exception {
        Exporter exporter = new Exporter(url, "spans");
        List<TraceSource> sources = sources(exporters);
        Map<String, Object> result = Ingest.writers(exporters, SPANS_PER_REQUEST, "spans", warmUp, measured,
                (writer, batch, inWindow) -> exporter.export(request(sources.get(writer).next(SPANS_PER_REQUEST)),
                        inWindow));
        result.put("request_bytes", request(sources(1).get(0).next(SPANS_PER_REQUEST)).getSerializedSize());
        result.put("request_latency", Stats.of(exporter.latencies.stream().mapToLong(Long::longValue).toArray()));
        result.put("answered_429", exporter.throttled.get());
        return result;
    }

    /**
     * The ceiling: {@code total} spans of the same traces written straight into the span table with COPY by as
     * many loaders as there were exporters, in transactions of 5,000 rows, into a project of their own that is
     * removed again. The rows carry what ingest stores: the mapped columns and the attributes as JSON.
     */
    static Map<String, Object> copyCeiling(String jdbcUrl, int loaders, long total) throws Exception {
        long projectId;
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                ResultSet rs = connection.createStatement().executeQuery(
                        "insert into project (name, created_at) values ('spans-copy-ceiling', now()) returning id")) {
            rs.next();
            projectId = rs.getLong(1);
        }
        long perLoader = total / loaders;
        List<TraceSource> sources = sources(loaders);
        String resource = Api.JSON.writeValueAsString(RESOURCE).replace("\\", "\\\\");
        double seconds = Ingest.copy(jdbcUrl, loaders, perLoader, 5_000, """
                copy span (project_id, trace_id, span_id, parent_span_id, name, kind, start_time, end_time, duration_ns,
                    status, status_message, service_name, scope_name, scope_version, span_type, operation, provider,
                    model, input_tokens, output_tokens, session_id, attributes, events, links, resource,
                    mapping_version) from stdin""",
                (rows, loader, index) -> copyRow(rows, projectId, sources.get(loader).next(1).get(0), resource));
        try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
            connection.createStatement().execute("delete from project where id = " + projectId);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("loaders", loaders);
        result.put("spans", perLoader * loaders);
        result.put("spans_per_s", Math.round(perLoader * loaders / seconds));
        return result;
    }

    /**
     * TRACE_LIST: {@code traces} traces (10 spans each) sent through /v1/traces by {@code exporters} exporters
     * (so that whatever ingest maintains for the list is there), then the first 50 of those with one model (a
     * quarter of them), longest first, timed {@code iterations} times.
     */
    static Map<String, Object> traceList(String url, String jdbcUrl, Api api, int exporters, int traces,
            int iterations) throws Exception {
        Exporter exporter = new Exporter(url, "trace-list");
        List<TraceSource> sources = sources(exporters);
        long spansPerExporter = (long) traces / exporters * SPANS_PER_TRACE;
        long start = System.nanoTime();
        Ingest.inParallel(exporters, source -> {
            for (long sent = 0; sent < spansPerExporter; sent += SPANS_PER_REQUEST) {
                exporter.export(request(sources.get(source)
                        .next((int) Math.min(SPANS_PER_REQUEST, spansPerExporter - sent))), false);
            }
        });
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
            connection.createStatement().execute("analyze");
        }
        Map<String, Object> variables = Map.of("p", "trace-list", "m", MODELS[0]);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("traces", spansPerExporter * exporters / SPANS_PER_TRACE);
        result.put("spans", spansPerExporter * exporters);
        result.put("loaded_through_otlp_spans_per_s", Math.round(spansPerExporter * exporters / loadSeconds));
        try {
            result.put("matching_traces", api.call(TRACE_LIST, variables).at("/traces/totalCount").asLong());
        } catch (IllegalStateException error) {
            // A list the server cannot answer (its statements time out after 5 s) is a result too; no timings.
            result.put("first_50_of_one_model_by_duration", error.getMessage());
            return result;
        }
        result.put("first_50_of_one_model_by_duration", Reads.time(iterations, () -> api.send(TRACE_LIST, variables)));
        return result;
    }

    /** Posts requests to /v1/traces as an OTLP exporter does, waiting out a 429 for its Retry-After. */
    private static final class Exporter {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final URI endpoint;
        private final String project;
        /** Of the requests answered 200 while measured. */
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final AtomicLong throttled = new AtomicLong();

        Exporter(String url, String project) {
            this.endpoint = URI.create(url + "/v1/traces");
            this.project = project;
        }

        void export(ExportTraceServiceRequest request, boolean measured) throws Exception {
            HttpRequest post = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/x-protobuf")
                    .header("X-Trackstack-Project", project)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build();
            while (true) {
                long sent = System.nanoTime();
                HttpResponse<byte[]> response = http.send(post, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() == 429) {
                    throttled.incrementAndGet();
                    Thread.sleep(1000 * Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")));
                    continue;
                }
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("/v1/traces answered " + response.statusCode());
                }
                long rejected = ExportTraceServiceResponse.parseFrom(response.body()).getPartialSuccess()
                        .getRejectedSpans();
                if (rejected > 0) {
                    throw new IllegalStateException("/v1/traces rejected " + rejected + " spans");
                }
                if (measured) {
                    latencies.add(System.nanoTime() - sent);
                }
                return;
            }
        }
    }

    /** One span of a generated trace. */
    private record GeneratedSpan(byte[] traceId, byte[] spanId, byte[] parentSpanId, String name, String type,
            long startNanos, long endNanos, boolean failed, Map<String, Object> attributes) {
    }

    /** Traces of their own for each of {@code count} exporters or loaders, new ones on every bench run. */
    private static List<TraceSource> sources(int count) {
        long run = ThreadLocalRandom.current().nextLong();
        return IntStream.range(0, count).mapToObj(source -> new TraceSource(run, source)).toList();
    }

    /** An exporter's endless stream of traces, handed out in batches of any size. */
    private static final class TraceSource {
        private final long run;
        private final int source;
        private final ArrayDeque<GeneratedSpan> pending = new ArrayDeque<>();
        private long traces;

        TraceSource(long run, int source) {
            this.run = run;
            this.source = source;
        }

        List<GeneratedSpan> next(int count) {
            while (pending.size() < count) {
                pending.addAll(trace(traces++));
            }
            List<GeneratedSpan> spans = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                spans.add(pending.poll());
            }
            return spans;
        }

        /** The {@code index}-th trace: its LLM calls all use one model, the models taking turns trace by trace. */
        private List<GeneratedSpan> trace(long index) {
            SplittableRandom random = new SplittableRandom(run ^ ((long) source << 40) ^ index);
            byte[] traceId = ByteBuffer.allocate(16).putLong(run ^ source).putLong(index + 1).array();
            byte[] agentId = spanId(index, 0);
            int model = (int) (index % MODELS.length);
            String session = "session-" + source + "-" + index / 5;
            long start = FIRST_START_NANOS + index * 50_000_000L + source * 1_000_000L;
            long at = start + 2_000_000L;
            List<GeneratedSpan> spans = new ArrayList<>(SPANS_PER_TRACE);
            for (int position = 1; position < SPANS_PER_TRACE; position++) {
                Map<String, Object> attributes = new LinkedHashMap<>();
                boolean llm = position % 2 == 1;
                long duration;
                boolean failed = false;
                String name;
                if (llm) {
                    name = "chat " + MODELS[model];
                    duration = random.nextLong(300, 4_000) * 1_000_000L;
                    attributes.put("gen_ai.operation.name", "chat");
                    attributes.put("gen_ai.provider.name", PROVIDERS[model]);
                    attributes.put("gen_ai.request.model", MODELS[model]);
                    attributes.put("gen_ai.response.model", MODELS[model] + "-2025-08-07");
                    attributes.put("gen_ai.request.temperature", 0.2);
                    attributes.put("gen_ai.request.max_tokens", 1024L);
                    attributes.put("gen_ai.response.id", "chatcmpl-" + Long.toHexString(random.nextLong()));
                    attributes.put("gen_ai.response.finish_reasons", List.of("stop"));
                    attributes.put("gen_ai.usage.input_tokens", random.nextLong(400, 4_000));
                    attributes.put("gen_ai.usage.output_tokens", random.nextLong(20, 600));
                    attributes.put("gen_ai.conversation.id", session);
                    attributes.put("gen_ai.input.messages", INPUT_MESSAGES);
                    attributes.put("gen_ai.output.messages", OUTPUT_MESSAGES);
                } else {
                    String tool = TOOLS[position / 2 % TOOLS.length];
                    name = "execute_tool " + tool;
                    duration = random.nextLong(5, 400) * 1_000_000L;
                    failed = random.nextInt(100) < 3;
                    attributes.put("gen_ai.operation.name", "execute_tool");
                    attributes.put("gen_ai.tool.name", tool);
                    attributes.put("gen_ai.tool.type", "function");
                    attributes.put("gen_ai.tool.call.id", "call_" + Long.toHexString(random.nextLong()));
                    attributes.put("gen_ai.tool.call.arguments", "{\"order_id\":\"4711\",\"include_history\":true}");
                    if (failed) {
                        attributes.put("error.type", "TimeoutError");
                    } else {
                        attributes.put("gen_ai.tool.call.result", TOOL_RESULT);
                    }
                }
                spans.add(new GeneratedSpan(traceId, spanId(index, position), agentId, name, llm ? "LLM" : "TOOL", at,
                        at + duration, failed, attributes));
                at += duration + 1_000_000L;
            }
            spans.add(0, new GeneratedSpan(traceId, agentId, null, "invoke_agent support-agent", "AGENT", start,
                    at + 1_000_000L, false, Map.of("gen_ai.operation.name", "invoke_agent",
                            "gen_ai.agent.name", "support-agent", "gen_ai.agent.id", "asst_support_1",
                            "gen_ai.conversation.id", session)));
            return spans;
        }

        private byte[] spanId(long trace, int position) {
            return ByteBuffer.allocate(8).putLong(((long) source + 1) << 48 | trace << 4 | position).array();
        }
    }

    private static ExportTraceServiceRequest request(List<GeneratedSpan> spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName(SCOPE).setVersion(SCOPE_VERSION));
        for (GeneratedSpan generated : spans) {
            Span.Builder span = Span.newBuilder().setTraceId(ByteString.copyFrom(generated.traceId()))
                    .setSpanId(ByteString.copyFrom(generated.spanId())).setName(generated.name())
                    .setKind(generated.type().equals("LLM") ? Span.SpanKind.SPAN_KIND_CLIENT
                            : Span.SpanKind.SPAN_KIND_INTERNAL)
                    .setStartTimeUnixNano(generated.startNanos()).setEndTimeUnixNano(generated.endNanos())
                    .addAllAttributes(keyValues(generated.attributes()));
            if (generated.parentSpanId() != null) {
                span.setParentSpanId(ByteString.copyFrom(generated.parentSpanId()));
            }
            if (generated.failed()) {
                span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage("tool timed out after 5 s"));
            }
            scope.addSpans(span);
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(keyValues(RESOURCE))).addScopeSpans(scope))
                .build();
    }

    private static List<KeyValue> keyValues(Map<String, Object> attributes) {
        return attributes.entrySet().stream()
                .map(entry -> KeyValue.newBuilder().setKey(entry.getKey()).setValue(value(entry.getValue())).build())
                .toList();
    }

    private static AnyValue value(Object value) {
        AnyValue.Builder any = AnyValue.newBuilder();
        if (value instanceof Long number) {
            return any.setIntValue(number).build();
        }
        if (value instanceof Double number) {
            return any.setDoubleValue(number).build();
        }
        if (value instanceof List<?> list) {
            return any.setArrayValue(ArrayValue.newBuilder().addAllValues(list.stream().map(Traces::value).toList()))
                    .build();
        }
        return any.setStringValue((String) value).build();
    }

    /** A row of the span table in COPY's text format, with the columns ingest lifts from the attributes. */
    private static void copyRow(StringBuilder rows, long projectId, GeneratedSpan span, String resource) {
        Map<String, Object> attributes = span.attributes();
        long duration = span.endNanos() - span.startNanos();
        rows.append(projectId).append('\t').append(bytea(span.traceId())).append('\t').append(bytea(span.spanId()))
                .append('\t').append(span.parentSpanId() == null ? "\\N" : bytea(span.parentSpanId())).append('\t')
                .append(span.name()).append('\t').append(span.type().equals("LLM") ? "CLIENT" : "INTERNAL")
                .append('\t').append(Instant.ofEpochSecond(0, span.startNanos())).append('\t')
                .append(Instant.ofEpochSecond(0, span.endNanos())).append('\t').append(duration).append('\t')
                .append(span.failed() ? "ERROR\ttool timed out after 5 s" : "UNSET\t\\N").append('\t')
                .append(RESOURCE.get("service.name")).append('\t').append(SCOPE).append('\t').append(SCOPE_VERSION)
                .append('\t').append(span.type()).append('\t').append(column(attributes, "gen_ai.operation.name"))
                .append('\t').append(column(attributes, "gen_ai.provider.name")).append('\t')
                .append(column(attributes, "gen_ai.request.model")).append('\t')
                .append(column(attributes, "gen_ai.usage.input_tokens")).append('\t')
                .append(column(attributes, "gen_ai.usage.output_tokens")).append('\t')
                .append(column(attributes, "gen_ai.conversation.id")).append('\t')
                .append(Api.JSON.writeValueAsString(attributes).replace("\\", "\\\\")).append("\t[]\t[]\t")
                .append(resource).append("\t1\n");
    }

    private static String bytea(byte[] bytes) {
        return "\\\\x" + HexFormat.of().formatHex(bytes);
    }

    private static Object column(Map<String, Object> attributes, String key) {
        return attributes.getOrDefault(key, "\\N");
    }
}
