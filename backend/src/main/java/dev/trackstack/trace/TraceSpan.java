package dev.trackstack.trace;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/** A stored span as the API shows it (GraphQL type Span); attributes, events, links and resource are JSON values. */
public record TraceSpan(String traceId, String spanId, String parentSpanId, String runId, String name, String kind,
        String spanType, OffsetDateTime startTime, OffsetDateTime endTime, long durationNanos, String status,
        String statusMessage, String serviceName, String scopeName, String scopeVersion, String operation,
        String provider, String model, Long inputTokens, Long outputTokens, BigDecimal cost, boolean costEstimated,
        String sessionId, String promptName, Integer promptVersion, Object attributes, Object events, Object links, Object resource, int mappingVersion) {
}
