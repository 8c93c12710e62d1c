package dev.trackstack.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Latency percentiles in milliseconds, from samples in nanoseconds. */
final class Stats {

    private Stats() {
    }

    static Map<String, Object> of(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("samples", sorted.length);
        stats.put("p50_ms", percentile(sorted, 0.50));
        stats.put("p95_ms", percentile(sorted, 0.95));
        stats.put("p99_ms", percentile(sorted, 0.99));
        stats.put("max_ms", sorted.length == 0 ? 0 : round(sorted[sorted.length - 1] / 1e6));
        return stats;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return round(sorted[Math.max(0, index)] / 1e6);
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
