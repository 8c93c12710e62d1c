package dev.trackstack.metric;

import java.time.OffsetDateTime;

/** A raw point (min, max and count null), or a bucket represented by its last point. */
public record SeriesPoint(long step, OffsetDateTime time, double value, Double min, Double max, Integer count) {
}
