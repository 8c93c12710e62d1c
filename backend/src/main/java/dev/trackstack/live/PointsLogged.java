package dev.trackstack.live;

import java.util.List;

/**
 * The points one committed logMetrics call stored, sorted by name, split (null first) and step.
 *
 * @param gap true when this instance skipped earlier batches of the run (it fell behind reading other instances'
 *            events), so that subscribers refetch
 */
public record PointsLogged(long runId, String project, List<LivePoint> points, boolean gap) {

    public PointsLogged(long runId, String project, List<LivePoint> points) {
        this(runId, project, points, false);
    }
}
