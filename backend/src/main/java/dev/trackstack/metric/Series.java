package dev.trackstack.metric;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;

/** Its points, and the same points column by column (the schema's steps, times, values, …). */
public record Series(long runId, String name, String split, long totalPoints, boolean downsampled,
        String resolution, List<SeriesPoint> points) {

    public List<Long> steps() {
        return column(SeriesPoint::step);
    }

    public List<OffsetDateTime> times() {
        return column(SeriesPoint::time);
    }

    public List<Double> values() {
        return column(SeriesPoint::value);
    }

    public List<Double> mins() {
        return column(SeriesPoint::min);
    }

    public List<Double> maxes() {
        return column(SeriesPoint::max);
    }

    public List<Integer> counts() {
        return column(SeriesPoint::count);
    }

    private <T> List<T> column(Function<SeriesPoint, T> field) {
        return points.stream().map(field).toList();
    }
}
