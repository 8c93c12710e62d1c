package dev.trackstack.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * @param gap    true when batches were dropped for this subscriber since the last one it received
 * @param points sorted by name, split and step, as in {@link PointsLogged}
 * @param series the same points, one entry per series
 */
public record MetricPointBatch(long runId, boolean gap, List<LivePoint> points, List<LiveSeries> series) {

    /** Everything a committed batch stored, split into series once for all its subscribers. */
    static MetricPointBatch of(PointsLogged event) {
        List<LivePoint> points = event.points();
        List<LiveSeries> series = new ArrayList<>();
        int first = 0;
        for (int i = 1; i <= points.size(); i++) {
            if (i == points.size() || !points.get(i).name().equals(points.get(first).name())
                    || !Objects.equals(points.get(i).split(), points.get(first).split())) {
                series.add(LiveSeries.of(points.subList(first, i)));
                first = i;
            }
        }
        return new MetricPointBatch(event.runId(), event.gap(), points, series);
    }

    /** What a subscriber to these names (null: all) receives, or null when none of the points are for it. */
    MetricPointBatch select(Set<String> names, boolean gap) {
        List<LivePoint> selected = names == null ? points
                : points.stream().filter(p -> names.contains(p.name())).toList();
        if (selected.isEmpty()) {
            return null;
        }
        return new MetricPointBatch(runId, gap || this.gap, selected, names == null ? series
                : series.stream().filter(s -> names.contains(s.name())).toList());
    }
}
