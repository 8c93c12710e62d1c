package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.JSON;
import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.post;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.google.protobuf.ByteString;
import com.google.rpc.Status;
import dev.trackstack.ApiTest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** OTLP/HTTP at /v1/traces as the specification has it, with requests of our own making; every bad input. */
class OtlpIngestTests extends ApiTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String ROOT = "b7ad6b7169203331";
    private static final String CHILD = "00f067aa0ba902b7";

    private static final JsonMapper MAPPER = JsonMapper.shared();

    private HttpResponse<byte[]> send(String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        return post(port, "/v1/traces", contentType, body, headers);
    }

    private HttpResponse<byte[]> sendToProject(ExportTraceServiceRequest request)
            throws IOException, InterruptedException {
        return send(PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER, project);
    }

    private int storedSpans() {
        return jdbc.queryForObject("select count(*) from span s join project p on p.id = s.project_id "
                + "where p.name = ?", Integer.class, project);
    }

    private ExportTraceServiceRequest twoSpans() {
        return request(List.of(attribute("service.name", "agent")),
                span(TRACE, ROOT, null, "invoke_agent planner", 0, 500,
                        attribute("gen_ai.operation.name", "invoke_agent")),
                span(TRACE, CHILD, ROOT, "chat gpt-4o", 10, 300, attribute("gen_ai.operation.name", "chat"),
                        attribute("gen_ai.request.model", "gpt-4o"), attribute("gen_ai.usage.input_tokens", 100),
                        attribute("gen_ai.usage.output_tokens", 20)));
    }

    /** A 400 with a google.rpc.Status in the request's encoding, and nothing stored. */
    private String refused(HttpResponse<byte[]> response, int status) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        String contentType = response.headers().firstValue("Content-Type").orElseThrow();
        String message = contentType.startsWith(PROTOBUF) ? Status.parseFrom(response.body()).getMessage()
                : MAPPER.readTree(response.body()).get("message").asString();
        assertThat(message).isNotBlank();
        assertThat(storedSpans()).isZero();
        return message;
    }

    @Test
    void shouldStoreProtobufSpansAndAnswerInProtobuf() throws Exception {
        HttpResponse<byte[]> response = sendToProject(twoSpans());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(PROTOBUF);
        assertThat(ExportTraceServiceResponse.parseFrom(response.body()).hasPartialSuccess()).isFalse();
        Map<String, Object> child = jdbc.queryForMap("select s.* from span s join project p on p.id = s.project_id "
                + "where p.name = ? and s.name = 'chat gpt-4o'", project);
        assertThat(child).containsEntry("span_type", "LLM").containsEntry("model", "gpt-4o")
                .containsEntry("input_tokens", 100L).containsEntry("output_tokens", 20L)
                .containsEntry("service_name", "agent").containsEntry("duration_ns", 300_000_000L)
                .containsEntry("mapping_version", SpanMapping.VERSION);
        assertThat(storedSpans()).isEqualTo(2);
    }

    @Test
    void shouldStoreNothingTwiceWhenAnExporterRetries() throws Exception {
        assertThat(sendToProject(twoSpans()).statusCode()).isEqualTo(200);
        assertThat(sendToProject(twoSpans()).statusCode()).isEqualTo(200);

        assertThat(storedSpans()).isEqualTo(2);
        assertThat(graphQl.documentName("traces").variable("project", project).execute()
                .path("traces.edges[0].node.spanCount").entity(Integer.class).get()).isEqualTo(2);
    }

    /** The JSON is written straight from the protobuf values: every kind of value, as the OTLP JSON mapping has it. */
    @Test
    void shouldStoreEveryKindOfValueEventsAndLinksAsJson() throws Exception {
        AnyValue list = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                .addValues(AnyValue.newBuilder().setStringValue("stop"))
                .addValues(AnyValue.newBuilder().setKvlistValue(io.opentelemetry.proto.common.v1.KeyValueList
                        .newBuilder().addValues(attribute("k", 1))))).build();
        Span.Builder span = span(TRACE, ROOT, null, "grüße \"quoted\"", 0, 500)
                .setStartTimeUnixNano(Otlp.T0 + 1_499).setEndTimeUnixNano(Otlp.T0 + 2_500)
                .addAttributes(attribute("model", "first")).addAttributes(attribute("model", "gpt-4o"))
                .addAttributes(KeyValue.newBuilder().setKey("list").setValue(list))
                .addAttributes(KeyValue.newBuilder().setKey("ratio").setValue(AnyValue.newBuilder().setDoubleValue(0.25)))
                .addAttributes(KeyValue.newBuilder().setKey("nan").setValue(AnyValue.newBuilder().setDoubleValue(Double.NaN)))
                .addAttributes(KeyValue.newBuilder().setKey("ok").setValue(AnyValue.newBuilder().setBoolValue(true)))
                .addAttributes(KeyValue.newBuilder().setKey("raw").setValue(AnyValue.newBuilder()
                        .setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3}))))
                .addAttributes(KeyValue.newBuilder().setKey("unset"))
                .addAttributes(attribute("text", "line\nbreak, tab\t, backslash \\ and ünïcödé ✓"))
                .addEvents(Span.Event.newBuilder().setTimeUnixNano(Otlp.T0).setName("retry")
                        .addAttributes(attribute("attempt", 2)))
                .addLinks(Span.Link.newBuilder().setTraceId(Otlp.id(TRACE)).setSpanId(Otlp.id(CHILD)));
        assertThat(sendToProject(request(List.of(attribute("service.name", "agent")), span)).statusCode())
                .isEqualTo(200);

        Map<String, Object> row = jdbc.queryForMap("""
                select s.name, s.attributes::text, s.events::text, s.links::text, s.resource::text,
                    extract(microseconds from s.start_time)::bigint % 1000000 as start_us,
                    extract(microseconds from s.end_time)::bigint % 1000000 as end_us, s.duration_ns
                from span s join project p on p.id = s.project_id where p.name = ?""", project);
        assertThat(row).containsEntry("name", "grüße \"quoted\"").containsEntry("duration_ns", 1_001L)
                .containsEntry("start_us", 1L).containsEntry("end_us", 3L);
        assertThat(MAPPER.readTree((String) row.get("attributes"))).isEqualTo(MAPPER.readTree("""
                {"model": "gpt-4o", "list": ["stop", {"k": 1}], "ratio": 0.25, "nan": "NaN", "ok": true,
                 "raw": "AQID", "unset": null, "text": "line\\nbreak, tab\\t, backslash \\\\ and ünïcödé ✓"}"""));
        assertThat(MAPPER.readTree((String) row.get("events"))).isEqualTo(MAPPER.readTree("""
                [{"timeUnixNano": "%d", "name": "retry", "attributes": {"attempt": 2}}]"""
                .formatted(Otlp.T0)));
        assertThat(MAPPER.readTree((String) row.get("links"))).isEqualTo(MAPPER.readTree("""
                [{"traceId": "%s", "spanId": "%s", "attributes": {}}]""".formatted(TRACE, CHILD)));
        assertThat(MAPPER.readTree((String) row.get("resource"))).isEqualTo(MAPPER.readTree("""
                {"service.name": "agent"}"""));
    }

    @Test
    void shouldStoreTheSpecificationsExampleRequestAndAnswerInJson() throws Exception {
        byte[] example;
        try (InputStream in = getClass().getResourceAsStream("/otlp/trace.json")) {
            example = in.readAllBytes();
        }
        HttpResponse<byte[]> response = send(JSON, example, IncomingSpans.PROJECT_HEADER, project);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith(JSON);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
        Map<String, Object> span = graphQl.documentName("trace").variable("id", "5b8efff798038103d269b633813fc60c")
                .variable("project", project).execute().path("trace.spans[0]").entity(Map.class).get();
        assertThat(span).containsEntry("spanId", "eee19b7ec3c1b174").containsEntry("parentSpanId", "eee19b7ec3c1b173")
                .containsEntry("name", "I'm a server span").containsEntry("kind", "SERVER")
                .containsEntry("startTime", "2018-12-13T14:51:00.000Z").containsEntry("durationNanos", 1_000_000_000)
                .containsEntry("scopeName", "my.library").containsEntry("serviceName", "my.service")
                .containsEntry("attributes", Map.of("my.span.attr", "some value"))
                .containsEntry("resource", Map.of("service.name", "my.service"));
    }

    @Test
    void shouldIgnoreUnknownJsonFields() throws Exception {
        String json = """
                {"resourceSpans": [{"somethingNew": {"a": [1, 2]}, "scopeSpans": [{"spans": [{
                  "traceId": "%s", "spanId": "%s", "name": "s", "futureField": true, "kind": 1,
                  "startTimeUnixNano": "1796119200000000000", "endTimeUnixNano": "1796119201000000000"}]}]}]}
                """.formatted(TRACE, ROOT);
        HttpResponse<byte[]> response = send(JSON, json.getBytes(StandardCharsets.UTF_8),
                IncomingSpans.PROJECT_HEADER, project);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(storedSpans()).isEqualTo(1);
    }

    @Test
    void shouldTakeGzippedBodies() throws Exception {
        HttpResponse<byte[]> response = send(PROTOBUF, gzip(twoSpans().toByteArray()), "Content-Encoding", "gzip",
                IncomingSpans.PROJECT_HEADER, project);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(storedSpans()).isEqualTo(2);
    }

    @Test
    void shouldTakeTheProjectFromTheResourceAndLinkTheRun() throws Exception {
        String runId = createRun();
        HttpResponse<byte[]> response = send(PROTOBUF, request(List.of(attribute("trackstack.project", project),
                attribute("trackstack.run.id", runId)), span(TRACE, ROOT, null, "root", 0, 5)).toByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select run_id::text from span s join project p on p.id = s.project_id "
                + "where p.name = ?", String.class, project)).isEqualTo(runId);
    }

    @Test
    void shouldRejectSpansOfARunOfAnotherProject() throws Exception {
        String otherProject = project;
        String runId = createRun();
        project = otherProject + "-other";
        HttpResponse<byte[]> response = sendToProject(request(List.of(attribute("trackstack.run.id", runId)),
                span(TRACE, ROOT, null, "root", 0, 5)));

        assertThat(response.statusCode()).isEqualTo(200);
        ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(response.body());
        assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(answer.getPartialSuccess().getErrorMessage()).contains("No run " + runId);
        assertThat(storedSpans()).isZero();
    }

    @Test
    void shouldRejectBadSpansAloneWithPartialSuccess() throws Exception {
        String deep = "x";
        AnyValue.Builder nested = AnyValue.newBuilder().setStringValue(deep);
        for (int i = 0; i < 20; i++) {
            nested = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(nested));
        }
        ExportTraceServiceRequest request = request(List.of(),
                span(TRACE, ROOT, null, "good", 0, 5),
                span(TRACE, "1111111111111111", ROOT, "ends before it starts", 10, 5).setEndTimeUnixNano(Otlp.T0),
                span(TRACE, "2222222222222222", ROOT, "no span id", 0, 5).setSpanId(ByteString.EMPTY),
                span("00000000000000000000000000000000", "3333333333333333", null, "zero trace id", 0, 5),
                span(TRACE, "4444444444444444", ROOT, "huge", 0, 5, attribute("big", "x".repeat(1_100_000))),
                span(TRACE, "5555555555555555", ROOT, "deep", 0, 5, KeyValue.newBuilder().setKey("deep")
                        .setValue(nested).build()),
                span(TRACE, "6666666666666666", ROOT, "nul \0 in name", 0, 5),
                span(TRACE, "7777777777777777", ROOT, "no times", 0, 5).setStartTimeUnixNano(0));
        HttpResponse<byte[]> response = sendToProject(request);

        assertThat(response.statusCode()).isEqualTo(200);
        ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(response.body());
        assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(7);
        assertThat(answer.getPartialSuccess().getErrorMessage()).contains("ends before it starts");
        assertThat(jdbc.queryForList("select s.name from span s join project p on p.id = s.project_id "
                + "where p.name = ?", String.class, project)).containsExactly("good");
    }

    @Test
    void shouldRefuseMalformedProtobuf() throws Exception {
        refused(send(PROTOBUF, new byte[] {0x0a, (byte) 0xff, 0x01, 0x02}, IncomingSpans.PROJECT_HEADER, project),
                400);
    }

    @Test
    void shouldRefuseMalformedJsonInJson() throws Exception {
        HttpResponse<byte[]> response = send(JSON, "{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8),
                IncomingSpans.PROJECT_HEADER, project);

        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith(JSON);
        JsonNode status = MAPPER.readTree(response.body());
        assertThat(status.get("code").asInt()).isEqualTo(3);
        refused(response, 400);
    }

    @Test
    void shouldRefuseBase64IdsInJson() throws Exception {
        String json = """
                {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "CvdlGRbNQ92ESOshHIAxnA==",
                  "spanId": "t61rcWkgMzE=", "name": "s", "startTimeUnixNano": "1796119200000000000",
                  "endTimeUnixNano": "1796119201000000000"}]}]}]}
                """;
        String message = refused(send(JSON, json.getBytes(StandardCharsets.UTF_8), IncomingSpans.PROJECT_HEADER,
                project), 400);

        assertThat(message).contains("hex");
    }

    @Test
    void shouldRefuseOtherContentTypes() throws Exception {
        refused(send("text/plain", "hello".getBytes(StandardCharsets.UTF_8), IncomingSpans.PROJECT_HEADER, project),
                415);
        refused(send(null, twoSpans().toByteArray(), IncomingSpans.PROJECT_HEADER, project), 415);
        refused(send(PROTOBUF, twoSpans().toByteArray(), "Content-Encoding", "br", IncomingSpans.PROJECT_HEADER,
                project), 415);
    }

    @Test
    void shouldRefuseBodiesOverTheLimitAlsoAfterDecompression() throws Exception {
        byte[] bomb = gzip(new byte[20 * 1024 * 1024]);
        assertThat(bomb.length).isLessThan(100_000);

        String message = refused(send(PROTOBUF, bomb, "Content-Encoding", "gzip", IncomingSpans.PROJECT_HEADER,
                project), 413);
        assertThat(message).contains("after gzip decompression");
        refused(send(PROTOBUF, new byte[17 * 1024 * 1024], IncomingSpans.PROJECT_HEADER, project), 413);
    }

    @Test
    void shouldRefuseBrokenGzip() throws Exception {
        refused(send(PROTOBUF, twoSpans().toByteArray(), "Content-Encoding", "gzip", IncomingSpans.PROJECT_HEADER,
                project), 400);
    }

    @Test
    void shouldRefuseDeeplyNestedPayloads() throws Exception {
        String deep = "{\"resourceSpans\": [{\"resource\": {\"attributes\": [{\"key\": \"k\", \"value\": "
                + "{\"arrayValue\": {\"values\": [".repeat(200) + "]}}".repeat(200) + "}]}}]}";
        refused(send(JSON, deep.getBytes(StandardCharsets.UTF_8), IncomingSpans.PROJECT_HEADER, project), 400);
    }

    @Test
    void shouldRefuseAnInvalidProjectName() throws Exception {
        refused(send(PROTOBUF, twoSpans().toByteArray(), IncomingSpans.PROJECT_HEADER, "p".repeat(300)), 400);
    }

    @Test
    void shouldSayThatMetricsAreNotStored() throws Exception {
        ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
                ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder()
                        .setName("m").setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                                .setAsDouble(1)).addDataPoints(NumberDataPoint.newBuilder().setAsDouble(2)))))).build();
        HttpResponse<byte[]> response = post(port, "/v1/metrics", PROTOBUF, metrics.toByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        ExportMetricsServiceResponse answer = ExportMetricsServiceResponse.parseFrom(response.body());
        assertThat(answer.getPartialSuccess().getRejectedDataPoints()).isEqualTo(2);
        assertThat(answer.getPartialSuccess().getErrorMessage()).contains("does not store");
    }

    @Test
    void shouldSayThatLogsAreNotStored() throws Exception {
        HttpResponse<byte[]> response = post(port, "/v1/logs", JSON,
                "{\"resourceLogs\": [{\"scopeLogs\": [{\"logRecords\": [{\"body\": {\"stringValue\": \"hi\"}}]}]}]}"
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(200);
        ExportLogsServiceResponse.Builder answer = ExportLogsServiceResponse.newBuilder();
        OtlpEncoding.JSON.read(response.body(), answer, MAPPER);
        assertThat(answer.getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
    }

    private static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        }
        return out.toByteArray();
    }
}
