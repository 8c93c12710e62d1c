package dev.trackstack.trace;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The spans of an OTLP request as rows to store. A span that cannot be stored as sent (no ids, no times, an end
 * before its start, too large, too deeply nested, a character PostgreSQL cannot hold) is rejected on its own and
 * counted in {@link #rejected}, as OTLP's partial success has it; the request's other spans are stored.
 */
final class IncomingSpans {

    static final String PROJECT_HEADER = "X-Trackstack-Project";
    static final String PROJECT_ATTRIBUTE = "trackstack.project";
    static final String RUN_ATTRIBUTE = "trackstack.run.id";
    static final String DEFAULT_PROJECT = "default";

    /**
     * A span as stored; {@code runId} is as sent, checked against the project when stored. Times are nanoseconds
     * since 1970; attributes, events, links and resource are JSON in UTF-8.
     */
    record Row(String project, byte[] traceId, byte[] spanId, byte[] parentSpanId, String runId, String name,
            String kind, long startNanos, long endNanos, String status, String statusMessage, String serviceName,
            String scopeName, String scopeVersion, SpanMapping.Fields fields, byte[] attributes, byte[] events,
            byte[] links, byte[] resource) {
    }

    /** Why a span is not stored: the exporter hears the first reason and the count. */
    static final class SpanRejected extends RuntimeException {
        SpanRejected(String message) {
            super(message);
        }
    }

    private static final byte[] EMPTY_ARRAY = {'[', ']'};

    final List<Row> rows = new ArrayList<>();
    int rejected;
    String firstRejection;

    private final TracingProperties limits;
    private final int nameLength;
    private final JsonMapper json;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    /**
     * @param headerProject the project the request's header names, which wins over the resources' attribute;
     *                      null if none
     */
    IncomingSpans(ExportTraceServiceRequest request, String headerProject, TracingProperties limits, int nameLength,
            JsonMapper json) {
        this.limits = limits;
        this.nameLength = nameLength;
        this.json = json;
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            Resource resource = resourceSpans.getResource();
            Map<String, Object> resourceAttributes = new HashMap<>();
            byte[] resourceJson;
            try {
                // Written once for all of the resource's spans.
                resourceJson = json(out -> writeAttributes(out, resource.getAttributesList(), 0, resourceAttributes));
            } catch (SpanRejected e) {
                resourceSpans.getScopeSpansList().forEach(scope -> scope.getSpansList().forEach(span -> reject(e)));
                continue;
            }
            String project = project(headerProject != null ? headerProject
                    : resourceAttributes.getOrDefault(PROJECT_ATTRIBUTE, DEFAULT_PROJECT));
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    try {
                        rows.add(row(project, span, scopeSpans, resourceAttributes, resourceJson));
                    } catch (SpanRejected e) {
                        reject(e);
                    }
                }
            }
        }
    }

    void reject(RuntimeException reason) {
        rejected++;
        if (firstRejection == null) {
            firstRejection = reason.getMessage();
        }
    }

    private String project(Object name) {
        if (!(name instanceof String project) || project.isBlank() || project.length() > nameLength
                || project.indexOf('\0') >= 0) {
            throw OtlpException.badRequest("The project (header " + PROJECT_HEADER + " or resource attribute "
                    + PROJECT_ATTRIBUTE + ") must be a name of 1 to " + nameLength + " characters, not " + name);
        }
        return project;
    }

    private Row row(String project, Span span, ScopeSpans scope, Map<String, Object> resource,
            byte[] resourceJson) {
        String id = "span " + hex(span.getSpanId()) + " of trace " + hex(span.getTraceId());
        byte[] traceId = id(span.getTraceId(), 16, "a trace id of 16 bytes", id);
        byte[] spanId = id(span.getSpanId(), 8, "a span id of 8 bytes", id);
        byte[] parentSpanId = span.getParentSpanId().isEmpty() ? null
                : id(span.getParentSpanId(), 8, "a parent span id of 8 bytes or none", id);
        // fixed64 nanoseconds, unsigned: a negative long is past the year 2262.
        long start = span.getStartTimeUnixNano();
        long end = span.getEndTimeUnixNano();
        if (start <= 0 || end <= 0) {
            throw new SpanRejected(id + " needs a start and an end time");
        }
        if (end < start) {
            throw new SpanRejected(id + " ends before it starts");
        }
        Map<String, Object> attributes = new HashMap<>();
        byte[] attributesJson = json(out -> writeAttributes(out, span.getAttributesList(), 0, attributes));
        byte[] eventsJson = span.getEventsCount() == 0 ? EMPTY_ARRAY : json(out -> {
            out.writeStartArray();
            for (Span.Event event : span.getEventsList()) {
                out.writeStartObject();
                out.writeStringProperty("timeUnixNano", Long.toUnsignedString(event.getTimeUnixNano()));
                out.writeStringProperty("name", text(event.getName()));
                out.writeName("attributes");
                writeAttributes(out, event.getAttributesList(), 0, null);
                out.writeEndObject();
            }
            out.writeEndArray();
        });
        byte[] linksJson = span.getLinksCount() == 0 ? EMPTY_ARRAY : json(out -> {
            out.writeStartArray();
            for (Span.Link link : span.getLinksList()) {
                out.writeStartObject();
                out.writeStringProperty("traceId", hex(link.getTraceId()));
                out.writeStringProperty("spanId", hex(link.getSpanId()));
                out.writeName("attributes");
                writeAttributes(out, link.getAttributesList(), 0, null);
                out.writeEndObject();
            }
            out.writeEndArray();
        });
        String name = text(span.getName());
        long size = (long) name.getBytes(StandardCharsets.UTF_8).length + attributesJson.length + eventsJson.length + linksJson.length;
        if (size > limits.spanBytes()) {
            throw new SpanRejected(id + " has " + size + " bytes of name, attributes, events and links, over "
                    + "the limit of " + limits.spanBytes());
        }
        Object run = attributes.getOrDefault(RUN_ATTRIBUTE, resource.get(RUN_ATTRIBUTE));
        return new Row(project, traceId, spanId, parentSpanId, run == null ? null : run.toString(), name,
                kind(span.getKind()), start, end, status(span.getStatus().getCode()),
                emptyToNull(text(span.getStatus().getMessage())),
                resource.get("service.name") instanceof String service ? service : null,
                emptyToNull(text(scope.getScope().getName())), emptyToNull(text(scope.getScope().getVersion())),
                SpanMapping.map(attributes), attributesJson, eventsJson, linksJson, resourceJson);
    }

    private static byte[] id(ByteString id, int length, String what, String span) {
        byte[] bytes = id.toByteArray();
        boolean zero = true;
        for (byte b : bytes) {
            zero &= b == 0;
        }
        if (bytes.length != length || zero) {
            throw new SpanRejected(span + " needs " + what + " (not all zero)");
        }
        return bytes;
    }

    /** Writes something as JSON in UTF-8; a JSON document is written once, straight from the protobuf values. */
    private byte[] json(Consumer<JsonGenerator> writer) {
        buffer.reset();
        try (JsonGenerator out = json.createGenerator(buffer)) {
            writer.accept(out);
        }
        return buffer.toByteArray();
    }

    /**
     * Key-value lists as JSON objects; a key sent twice is written twice, and jsonb keeps its last value. The
     * values of the top level go into {@code values} too (if not null), for the mapping and the run: scalars as
     * Java values, an array or key-value list as its protobuf value (which the mapping ignores).
     */
    private void writeAttributes(JsonGenerator out, List<KeyValue> keyValues, int depth, Map<String, Object> values) {
        out.writeStartObject();
        for (KeyValue keyValue : keyValues) {
            String key = text(keyValue.getKey());
            out.writeName(key);
            Object value = writeValue(out, keyValue.getValue(), depth);
            if (values != null) {
                values.put(key, value);
            }
        }
        out.writeEndObject();
    }

    /** Writes the value and answers it as a Java value (the protobuf value itself if it is nested). */
    private Object writeValue(JsonGenerator out, AnyValue value, int depth) {
        if ((value.hasArrayValue() || value.hasKvlistValue()) && depth >= limits.valueDepth()) {
            throw new SpanRejected("An attribute value is nested deeper than the limit of " + limits.valueDepth());
        }
        switch (value.getValueCase()) {
            case STRING_VALUE -> {
                String text = text(value.getStringValue());
                out.writeString(text);
                return text;
            }
            case BOOL_VALUE -> {
                out.writeBoolean(value.getBoolValue());
                return value.getBoolValue();
            }
            case INT_VALUE -> {
                out.writeNumber(value.getIntValue());
                return value.getIntValue();
            }
            case DOUBLE_VALUE -> {
                double number = value.getDoubleValue();
                if (Double.isFinite(number)) {
                    out.writeNumber(number);
                    return number;
                }
                out.writeString(Double.toString(number));
                return Double.toString(number);
            }
            case BYTES_VALUE -> {
                String base64 = Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
                out.writeString(base64);
                return base64;
            }
            case ARRAY_VALUE -> {
                out.writeStartArray();
                for (AnyValue element : value.getArrayValue().getValuesList()) {
                    writeValue(out, element, depth + 1);
                }
                out.writeEndArray();
                return value;
            }
            case KVLIST_VALUE -> {
                writeAttributes(out, value.getKvlistValue().getValuesList(), depth + 1, null);
                return value;
            }
            default -> {
                out.writeNull();
                return null;
            }
        }
    }

    /** PostgreSQL's text and jsonb cannot hold U+0000. */
    private static String text(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new SpanRejected("A name, key or value holds the character U+0000, which cannot be stored: "
                    + OtlpEncoding.abbreviate(text.replace('\0', '?')));
        }
        return text;
    }

    private static String kind(Span.SpanKind kind) {
        return switch (kind) {
            case SPAN_KIND_INTERNAL -> "INTERNAL";
            case SPAN_KIND_SERVER -> "SERVER";
            case SPAN_KIND_CLIENT -> "CLIENT";
            case SPAN_KIND_PRODUCER -> "PRODUCER";
            case SPAN_KIND_CONSUMER -> "CONSUMER";
            default -> "UNSPECIFIED";
        };
    }

    private static String status(io.opentelemetry.proto.trace.v1.Status.StatusCode code) {
        return switch (code) {
            case STATUS_CODE_OK -> "OK";
            case STATUS_CODE_ERROR -> "ERROR";
            default -> "UNSET";
        };
    }

    static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }
}
