package dev.trackstack.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the steps [origin, last] of a series are cut into buckets of {@code width} steps, and which stored level
 * serves them: for rollups, the parts that cover the range (the coarsest level whose buckets are no wider than the
 * asked ones, so at most 8 rows per bucket are read, with finer levels and then raw points covering the ragged
 * ends); for continuous aggregates, the level ({@code null}: raw points). Pure arithmetic, no database.
 */
public record BucketPlan(long origin, long last, long width, String resolution, AggregateLevel level,
        List<Part> parts) {

    /** Rows of a rollup level (0 for raw points) whose bucket (or step) lies in [lo, hi]. */
    public record Part(long level, long lo, long hi) {
    }

    /** Buckets of equal width from the first to the last step in the range, at most maxPoints of them. */
    static long width(PointStore.Extent extent, int maxPoints) {
        return (extent.last() - extent.first()) / maxPoints + 1;
    }

    static BucketPlan ofRollups(PointStore.Extent extent, int maxPoints) {
        long width = width(extent, maxPoints);
        int level = -1;
        while (level + 1 < Rollups.LEVELS.length && Rollups.LEVELS[level + 1] <= width) {
            level++;
        }
        List<Part> parts = new ArrayList<>();
        cover(extent.first(), extent.last(), level, parts);
        String source = level < 0 ? "raw" : "rollup-" + Rollups.LEVELS[level];
        return new BucketPlan(extent.first(), extent.last(), width, source + ":" + width, null, parts);
    }

    /**
     * Time buckets hold as many steps as the series logs in that time, so the level is picked from the range's
     * steps per second: the coarsest whose buckets hold no more steps than an asked bucket.
     */
    static BucketPlan ofAggregates(PointStore.Extent extent, int maxPoints) {
        long width = width(extent, maxPoints);
        double seconds = Duration.between(extent.firstTime(), extent.lastTime()).toNanos() / 1e9;
        double stepsPerSecond = (extent.last() - extent.first()) / Math.max(seconds, 1e-3);
        AggregateLevel level = null;
        for (AggregateLevel candidate : AggregateLevel.values()) {
            if (stepsPerSecond * candidate.seconds() <= width) {
                level = candidate;
            }
        }
        String source = level == null ? "raw" : "aggregate-" + level.label();
        return new BucketPlan(extent.first(), extent.last(), width, source + ":" + width, level, List.of());
    }

    /**
     * Covers the steps [a, b] with the buckets of the rollup level at {@code index} that lie wholly inside, and the
     * ragged ends with finer levels, down to raw points (index -1).
     */
    private static void cover(long a, long b, int index, List<Part> parts) {
        if (index < 0) {
            parts.add(new Part(0, a, b));
            return;
        }
        long level = Rollups.LEVELS[index];
        if (b - a < level - 1) {  // fewer steps than a bucket (b - a cannot overflow: steps are >= 0)
            cover(a, b, index - 1, parts);
            return;
        }
        long firstBucket = -Math.floorDiv(-a, level) * level;
        long lastBucket = Math.floorDiv(b - level + 1, level) * level;
        if (firstBucket > lastBucket) {
            cover(a, b, index - 1, parts);
            return;
        }
        if (a < firstBucket) {
            cover(a, firstBucket - 1, index - 1, parts);
        }
        parts.add(new Part(level, firstBucket, lastBucket));
        if (lastBucket + level - 1 < b) {
            cover(lastBucket + level, b, index - 1, parts);
        }
    }
}
