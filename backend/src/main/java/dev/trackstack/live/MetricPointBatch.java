package dev.trackstack.live;

import java.util.List;

/** @param gap true when batches were dropped for this subscriber since the last one it received */
public record MetricPointBatch(long runId, boolean gap, List<LivePoint> points) {
}
