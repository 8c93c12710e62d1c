package dev.trackstack.live;

import java.util.List;

import dev.trackstack.graphql.SharedColumn;

/**
 * The points of one series in a batch, column by column: entry i of every column is point i. One instance per
 * committed batch serves every subscriber, so each column is written as JSON once.
 */
public record LiveSeries(String name, String split, SharedColumn steps, SharedColumn times, SharedColumn values) {

    /** @param points of one series, in step order */
    static LiveSeries of(List<LivePoint> points) {
        return new LiveSeries(points.get(0).name(), points.get(0).split(),
                new SharedColumn(points.stream().map(LivePoint::step).toList()),
                new SharedColumn(points.stream().map(LivePoint::time).toList()),
                new SharedColumn(points.stream().map(LivePoint::value).toList()));
    }
}
