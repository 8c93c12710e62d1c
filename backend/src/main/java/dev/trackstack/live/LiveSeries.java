package dev.trackstack.live;

import java.time.OffsetDateTime;
import java.util.List;

/** The points of one series in a batch, column by column: entry i of every list is point i. */
public record LiveSeries(String name, String split, List<Long> steps, List<OffsetDateTime> times,
        List<Double> values) {

    /** @param points of one series, in step order */
    static LiveSeries of(List<LivePoint> points) {
        return new LiveSeries(points.get(0).name(), points.get(0).split(),
                points.stream().map(LivePoint::step).toList(), points.stream().map(LivePoint::time).toList(),
                points.stream().map(LivePoint::value).toList());
    }
}
