package dev.trackstack.trace;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A session as the API shows it: the traces of a project whose session id it is, aggregated.
 *
 * @param runId the run whose traces it counts when it was listed for a run, else null (all of the project's)
 */
record Session(String id, String project, Long runId, int traceCount, OffsetDateTime startTime,
        OffsetDateTime endTime, int errorCount, Long inputTokens, Long outputTokens, Long totalTokens,
        BigDecimal cost) {
}
