package dev.trackstack.live;

import java.util.List;

/** The points one committed logMetrics call stored, sorted by name, split (null first) and step. */
public record PointsLogged(long runId, String project, List<LivePoint> points) {
}
