package dev.trackstack.trace;

import java.time.OffsetDateTime;
import java.util.List;

/** The TraceFilter input: a trace matches a span condition when any of its spans does. */
record TraceFilter(OffsetDateTime from, OffsetDateTime to, List<String> status, List<String> models,
        List<SpanMapping.SpanType> spanTypes, String sessionId, String nameContains) {
}
