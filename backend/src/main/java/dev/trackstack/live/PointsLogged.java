package dev.trackstack.live;

import java.util.List;

/** The points one committed logMetrics call stored, in step order per series. */
public record PointsLogged(long runId, String project, List<LivePoint> points) {
}
