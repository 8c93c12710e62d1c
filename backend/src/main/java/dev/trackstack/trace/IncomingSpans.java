package dev.trackstack.trace;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
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

    /** A span as stored; {@code runId} is as sent, checked against the project when stored. */
    record Row(String project, byte[] traceId, byte[] spanId, byte[] parentSpanId, String runId, String name,
            String kind, OffsetDateTime startTime, OffsetDateTime endTime, long durationNanos, String status,
            String statusMessage, String serviceName, String scopeName, String scopeVersion,
            SpanMapping.Fields fields, String attributes, String events, String links, String resource) {
    }

    /** Why a span is not stored: the exporter hears the first reason and the count. */
    static final class SpanRejected extends RuntimeException {
        SpanRejected(String message) {
            super(message);
        }
    }

    final List<Row> rows = new ArrayList<>();
    int rejected;
    String firstRejection;

    private final TracingProperties limits;
    private final int nameLength;
    private final JsonMapper json;

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
            Map<String, Object> resourceAttributes;
            try {
                resourceAttributes = attributes(resource.getAttributesList());
            } catch (SpanRejected e) {
                resourceSpans.getScopeSpansList().forEach(scope -> scope.getSpansList().forEach(span -> reject(e)));
                continue;
            }
            String project = project(headerProject != null ? headerProject
                    : (String) resourceAttributes.getOrDefault(PROJECT_ATTRIBUTE, DEFAULT_PROJECT));
            // Written once for all of the resource's spans.
            String resourceJson = json.writeValueAsString(resourceAttributes);
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
            String resourceJson) {
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
        Map<String, Object> attributes = attributes(span.getAttributesList());
        List<Map<String, Object>> events = new ArrayList<>();
        for (Span.Event event : span.getEventsList()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("timeUnixNano", Long.toUnsignedString(event.getTimeUnixNano()));
            e.put("name", text(event.getName()));
            e.put("attributes", attributes(event.getAttributesList()));
            events.add(e);
        }
        List<Map<String, Object>> links = new ArrayList<>();
        for (Span.Link link : span.getLinksList()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("traceId", hex(link.getTraceId()));
            l.put("spanId", hex(link.getSpanId()));
            l.put("attributes", attributes(link.getAttributesList()));
            links.add(l);
        }
        String name = text(span.getName());
        String attributesJson = json.writeValueAsString(attributes);
        String eventsJson = events.isEmpty() ? "[]" : json.writeValueAsString(events);
        String linksJson = links.isEmpty() ? "[]" : json.writeValueAsString(links);
        long size = (long) name.length() + attributesJson.length() + eventsJson.length() + linksJson.length();
        if (size > limits.spanBytes()) {
            throw new SpanRejected(id + " has " + size + " characters of name, attributes, events and links, over "
                    + "the limit of " + limits.spanBytes());
        }
        Object run = attributes.getOrDefault(RUN_ATTRIBUTE, resource.get(RUN_ATTRIBUTE));
        return new Row(project, traceId, spanId, parentSpanId, run == null ? null : run.toString(), name,
                kind(span.getKind()), time(start), time(end), end - start, status(span.getStatus().getCode()),
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

    private Map<String, Object> attributes(List<KeyValue> keyValues) {
        return attributes(keyValues, 0);
    }

    /** Key-value lists as JSON objects; a key sent twice keeps its last value. */
    private Map<String, Object> attributes(List<KeyValue> keyValues, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (KeyValue keyValue : keyValues) {
            map.put(text(keyValue.getKey()), value(keyValue.getValue(), depth));
        }
        return map;
    }

    private Object value(AnyValue value, int depth) {
        if ((value.hasArrayValue() || value.hasKvlistValue()) && depth >= limits.valueDepth()) {
            throw new SpanRejected("An attribute value is nested deeper than the limit of " + limits.valueDepth());
        }
        return switch (value.getValueCase()) {
            case STRING_VALUE -> text(value.getStringValue());
            case BOOL_VALUE -> value.getBoolValue();
            case INT_VALUE -> value.getIntValue();
            case DOUBLE_VALUE -> Double.isFinite(value.getDoubleValue()) ? value.getDoubleValue()
                    : Double.toString(value.getDoubleValue());
            case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
            case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(v -> value(v, depth + 1)).toList();
            case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList(), depth + 1);
            default -> null;
        };
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

    private static OffsetDateTime time(long unixNanos) {
        return Instant.ofEpochSecond(0, unixNanos).atOffset(ZoneOffset.UTC);
    }

    static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }
}
