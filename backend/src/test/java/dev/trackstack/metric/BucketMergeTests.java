package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import dev.trackstack.storage.BucketRow;
import org.junit.jupiter.api.Test;

class BucketMergeTests {

    private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldMergePartsByTheBucketOfTheirLastStepKeepingTheLastPointAndTheBounds() {
        // Out of order, as SQL returns them; a part of only NaN points has no bounds.
        List<BucketRow> parts = new ArrayList<>(List.of(
                part(14, Double.NaN, Double.NaN, Double.NaN, 2),
                part(9, 0.5, 0.1, 0.9, 8),
                part(3, 0.3, 0.2, 0.4, 4),
                part(12, 0.7, 0.6, 0.8, 3),
                part(10, 0.05, 0.05, 0.05, 1),
                part(25, Double.NaN, Double.NaN, Double.NaN, 1)));

        List<SeriesPoint> buckets = SeriesQuery.merge(parts, 0, 10);

        assertThat(buckets).containsExactly(
                bucket(9, 0.5, 0.1, 0.9, 12),
                bucket(14, Double.NaN, 0.05, 0.8, 6),
                bucket(25, Double.NaN, null, null, 1));
    }

    @Test
    void shouldCountBucketsFromTheOrigin() {
        List<BucketRow> parts = new ArrayList<>(List.of(part(104, 1, 1, 1, 1), part(105, 2, 2, 2, 1)));

        assertThat(SeriesQuery.merge(parts, 100, 5)).containsExactly(bucket(104, 1, 1.0, 1.0, 1),
                bucket(105, 2, 2.0, 2.0, 1));
        assertThat(SeriesQuery.merge(parts, 101, 5)).containsExactly(bucket(105, 2, 1.0, 2.0, 2));
    }

    private static BucketRow part(long step, double value, double min, double max, int count) {
        return new BucketRow(step, T0.plusSeconds(step).toEpochSecond() * 1_000_000, value, min, max, count);
    }

    private static SeriesPoint bucket(long step, double value, Double min, Double max, int count) {
        return new SeriesPoint(step, T0.plusSeconds(step), value, min, max, count);
    }
}
