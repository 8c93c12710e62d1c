package dev.trackstack;

import java.time.Duration;
import java.util.function.LongSupplier;

/** PostgreSQL's cumulative statistics as a test can compare them before and after what it does. */
public final class DatabaseStatistics {

    private DatabaseStatistics() {
    }

    /**
     * A statistic once it has stopped changing: an idle backend reports what it did up to 10 s late (PostgreSQL's
     * idle statistics interval), so a value read at once may still grow by an earlier test's work. Unchanged for 11 s,
     * or whatever it is after 60 s.
     */
    public static long settled(LongSupplier statistic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long value = statistic.getAsLong();
        long unchangedSince = System.nanoTime();
        while (System.nanoTime() - unchangedSince < Duration.ofSeconds(11).toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = statistic.getAsLong();
            if (now != value) {
                value = now;
                unchangedSince = System.nanoTime();
            }
        }
        return value;
    }
}
