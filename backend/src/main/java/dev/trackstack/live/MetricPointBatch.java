package dev.trackstack.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * @param gap    true when batches were dropped for this subscriber since the last one it received
 * @param points sorted by name, split and step, as in {@link PointsLogged}
 */
public record MetricPointBatch(long runId, boolean gap, List<LivePoint> points) {

    /** The same points, one entry per series. */
    public List<LiveSeries> series() {
        List<LiveSeries> series = new ArrayList<>();
        int first = 0;
        for (int i = 1; i <= points.size(); i++) {
            if (i == points.size() || !points.get(i).name().equals(points.get(first).name())
                    || !Objects.equals(points.get(i).split(), points.get(first).split())) {
                series.add(LiveSeries.of(points.subList(first, i)));
                first = i;
            }
        }
        return series;
    }
}
