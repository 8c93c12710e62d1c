package dev.trackstack.media;

import java.time.OffsetDateTime;
import java.util.List;

/** An item as the MediaItem type answers it: one of image, histogram, table and text is set, as {@code kind} says. */
record MediaItem(long runId, String name, long step, int index, MediaKind kind, String caption,
        OffsetDateTime createdAt, Image image, Histogram histogram, Table table, Text text) {

    record Image(String format, int width, int height, long bytes, String sha256, String url, Object overlays) {
    }

    record Histogram(double[] edges, double[] counts) {
    }

    /** @param rows a JSON array of rows, its IMAGE cells as {url, width, height, sha256} */
    record Table(List<TableColumn> columns, Object rows) {
    }

    record TableColumn(String name, String type) {
    }

    record Text(String format, String content) {
    }

    record Series(String name, MediaKind kind, int stepCount, long firstStep, long lastStep, long[] steps) {
    }

    record HistogramAtStep(long step, double[] edges, double[] counts) {
    }

    record Event(long runId, String name, long step, MediaKind kind) {
    }
}
