package dev.trackstack.trace;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/** Raw OTLP requests of the tests' own making, built with the published OTLP message classes. */
final class Otlp {

    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";

    /** 2026-12-01T10:00:00Z in nanoseconds. */
    static final long T0 = 1_796_119_200_000_000_000L;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Otlp() {
    }

    static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static KeyValue attribute(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    static ByteString id(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    /** A span of trace {@code traceHex} starting {@code startMs} after T0 and lasting {@code durationMs}. */
    static Span.Builder span(String traceHex, String spanHex, String parentHex, String name, long startMs,
            long durationMs, KeyValue... attributes) {
        Span.Builder span = Span.newBuilder().setTraceId(id(traceHex)).setSpanId(id(spanHex)).setName(name)
                .setStartTimeUnixNano(T0 + startMs * 1_000_000)
                .setEndTimeUnixNano(T0 + (startMs + durationMs) * 1_000_000)
                .addAllAttributes(List.of(attributes));
        if (parentHex != null) {
            span.setParentSpanId(id(parentHex));
        }
        return span;
    }

    /** One resource (with these attributes) and one scope holding the spans. */
    static ExportTraceServiceRequest request(List<KeyValue> resource, Span.Builder... spans) {
        List<Span> built = new ArrayList<>();
        for (Span.Builder span : spans) {
            built.add(span.build());
        }
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource))
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(built))).build();
    }

    /** POSTs a body to a path of the server; header names and values alternate in {@code headers}. */
    static HttpResponse<byte[]> post(int port, String path, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
