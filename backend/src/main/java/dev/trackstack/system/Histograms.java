package dev.trackstack.system;

import java.time.Duration;
import java.util.Arrays;

/**
 * Histogram buckets of the server's timers (docs/operations.md, Monitoring): a dozen chosen bounds per histogram
 * rather than Micrometer's 70 spread over every range, so that a scrape stays small.
 */
public final class Histograms {

    private Histograms() {
    }

    /** Bucket bounds given in milliseconds. */
    public static Duration[] millis(long... bounds) {
        return Arrays.stream(bounds).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }
}
