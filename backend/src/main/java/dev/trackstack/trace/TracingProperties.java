package dev.trackstack.trace;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of OTLP ingestion and the retention of spans ({@code trackstack.tracing.*}), documented in
 * docs/tracing.md and docs/configuration.md.
 *
 * @param requestBytes       bytes of one OTLP request body, before and after gzip; more is refused with 413
 * @param spanBytes          characters of one span's name, attributes, events and links as JSON; a larger span is
 *                           rejected (partial_success)
 * @param valueDepth         nesting of an attribute value (an array or key-value list is 1); a deeper span is
 *                           rejected
 * @param concurrentRequests OTLP requests read and stored at the same time; one more is answered 429 (to be retried)
 *                           before its body is read
 * @param retention          how long spans are kept, by their start time (TraceRetention); null keeps them forever
 */
@ConfigurationProperties("trackstack.tracing")
record TracingProperties(
        @DefaultValue("16777216") int requestBytes,
        @DefaultValue("1048576") int spanBytes,
        @DefaultValue("16") int valueDepth,
        @DefaultValue("4") int concurrentRequests,
        Duration retention) {
}
