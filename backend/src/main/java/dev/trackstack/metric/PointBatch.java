package dev.trackstack.metric;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.EpochMicros;
import dev.trackstack.system.TrackstackProperties;

/**
 * The points of one logging call, column by column: each series once, then per point the index of its series, its
 * step, value and time. Both forms of logMetrics (a point per object, or a series' points as arrays) become one,
 * checked as it is built, so that ingest works on arrays, not on an object per point.
 *
 * @param series   the series named, each once (an empty split is no split)
 * @param seriesOf per point, its series' index in {@code series}
 * @param micros   per point, its time in microseconds since the epoch, or {@link #ARRIVAL}
 */
public record PointBatch(List<MetricIngest.SeriesKey> series, int[] seriesOf, long[] steps, double[] values,
        long[] micros) {

    /** A point's time when the caller gave none: ingest stamps the time of arrival. */
    static final long ARRIVAL = Long.MIN_VALUE;

    public int size() {
        return steps.length;
    }

    /** The object form: {@code points[i]} names the point in errors. */
    public static PointBatch ofPoints(List<MetricPointInput> points, TrackstackProperties.Limits limits) {
        requireWithinLimit(points.size(), limits);
        Builder batch = new Builder(points.size());
        for (int i = 0; i < points.size(); i++) {
            MetricPointInput p = points.get(i);
            PointProblem problem = PointProblem.of(p, limits.nameLength());
            if (problem != null) {
                throw ApiException.badInput("points[" + i + "]." + problem.describe(p, limits.nameLength()));
            }
            batch.add(batch.seriesIndex(p.name(), p.split()), p.step(), p.value(),
                    p.time() == null ? ARRIVAL : EpochMicros.of(p.time().toInstant()));
        }
        return batch.build();
    }

    /**
     * The column form, as graphql-java coerced it: per series its name, split, and the columns steps (long[]),
     * values (double[]) and times (long[] of microseconds, or null); {@code columns[i]} names a series in errors.
     */
    static PointBatch ofColumns(List<Map<String, Object>> columns, TrackstackProperties.Limits limits) {
        int total = 0;
        for (int i = 0; i < columns.size(); i++) {
            Map<String, Object> column = columns.get(i);
            int length = ((long[]) column.get("steps")).length;
            requireLength(i, "values", ((double[]) column.get("values")).length, length);
            if (column.get("times") != null) {
                requireLength(i, "times", ((long[]) column.get("times")).length, length);
            }
            total += length;
        }
        requireWithinLimit(total, limits);
        Builder batch = new Builder(total);
        for (int i = 0; i < columns.size(); i++) {
            Map<String, Object> column = columns.get(i);
            String name = (String) column.get("name");
            String split = (String) column.get("split");
            PointProblem problem = PointProblem.ofSeries(name, split, limits.nameLength());
            if (problem != null) {
                throw ApiException.badInput("columns[" + i + "]." + problem.rule(limits.nameLength()));
            }
            long[] steps = (long[]) column.get("steps");
            double[] values = (double[]) column.get("values");
            long[] times = (long[]) column.get("times");
            int series = steps.length == 0 ? -1 : batch.seriesIndex(name, split);
            for (int j = 0; j < steps.length; j++) {
                if (steps[j] < 0) {
                    throw ApiException.badInput("columns[" + i + "].steps[" + j + "]: "
                            + PointProblem.STEP.rule(limits.nameLength()) + ", got " + steps[j]);
                }
                if (times != null && !PointProblem.inRange(times[j])) {
                    throw ApiException.badInput("columns[" + i + "].times[" + j + "]: "
                            + PointProblem.TIME.rule(limits.nameLength()));
                }
                batch.add(series, steps[j], values[j], times == null ? ARRIVAL : times[j]);
            }
        }
        return batch.build();
    }

    private static void requireWithinLimit(int points, TrackstackProperties.Limits limits) {
        if (points > limits.pointsPerBatch()) {
            throw ApiException.limit("A batch of " + points + " points", limits.pointsPerBatch());
        }
    }

    private static void requireLength(int column, String field, int length, int steps) {
        if (length != steps) {
            throw ApiException.badInput("columns[" + column + "]." + field + " has " + length
                    + " elements where steps has " + steps);
        }
    }

    /** Fills the columns point by point. */
    private static final class Builder {

        private final Map<MetricIngest.SeriesKey, Integer> indexes = new HashMap<>();
        private final List<MetricIngest.SeriesKey> series = new ArrayList<>();
        private final int[] seriesOf;
        private final long[] steps;
        private final double[] values;
        private final long[] micros;
        private int size;

        Builder(int capacity) {
            seriesOf = new int[capacity];
            steps = new long[capacity];
            values = new double[capacity];
            micros = new long[capacity];
        }

        int seriesIndex(String name, String split) {
            return indexes.computeIfAbsent(MetricIngest.SeriesKey.of(name, split), key -> {
                series.add(key);
                return series.size() - 1;
            });
        }

        void add(int series, long step, double value, long time) {
            seriesOf[size] = series;
            steps[size] = step;
            values[size] = value;
            micros[size] = time;
            size++;
        }

        PointBatch build() {
            return new PointBatch(List.copyOf(series), seriesOf, steps, values, micros);
        }
    }
}
