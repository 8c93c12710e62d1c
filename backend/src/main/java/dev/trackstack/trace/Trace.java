package dev.trackstack.trace;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/** A trace as the API shows it: its root span's fields and aggregates over its spans. */
record Trace(long projectId, String id, String project, String runId, String name, String rootSpanId,
        String spanType, String operation, String provider, String model, String sessionId, String serviceName,
        OffsetDateTime startTime, OffsetDateTime endTime, long durationNanos, String status, int spanCount,
        int errorCount, Long inputTokens, Long outputTokens, Long totalTokens, BigDecimal cost) {
}
