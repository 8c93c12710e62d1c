package dev.trackstack.trace;

import java.math.BigDecimal;

/** One row of the llmUsage query: the LLM calls of a model and/or a UTC day (null when not grouped by it). */
record LlmUsage(String model, String day, int calls, int errorCount, Long inputTokens, Long outputTokens,
        BigDecimal cost, long latencyP50Nanos, long latencyP95Nanos) {

    enum Dimension { MODEL, DAY }

    public double errorRate() {
        return (double) errorCount / calls;
    }
}
