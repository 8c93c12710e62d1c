package dev.trackstack.metric;

import java.util.List;

public record Series(long runId, String name, String split, long totalPoints, boolean downsampled,
        String resolution, List<SeriesPoint> points) {
}
