package dev.trackstack.media;

import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;

/** A HistogramInput checked: values binned here, or the client's edges and counts checked. */
final class MediaHistograms {

    private static final int DEFAULT_BINS = 64;

    private MediaHistograms() {
    }

    @SuppressWarnings("unchecked")
    static MediaItem.Histogram of(Map<String, Object> input, int maxBins) {
        List<Double> values = (List<Double>) input.get("values");
        List<Double> edges = (List<Double>) input.get("edges");
        List<Double> counts = (List<Double>) input.get("counts");
        if (values != null) {
            if (edges != null || counts != null) {
                throw ApiException.badInput("histogram: give values, or edges and counts, not both");
            }
            Integer bins = (Integer) input.get("bins");
            return binned(values, bins == null ? DEFAULT_BINS : bins, maxBins);
        }
        if (edges == null || counts == null) {
            throw ApiException.badInput("histogram: give values, or edges and counts");
        }
        return given(edges, counts, maxBins);
    }

    /** Equal bins from the least value to the greatest; all values equal, one bin around them as numpy makes. */
    private static MediaItem.Histogram binned(List<Double> values, int bins, int maxBins) {
        checkBins(bins, maxBins);
        if (values.isEmpty()) {
            throw ApiException.badInput("histogram: values is empty");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.size(); i++) {
            double value = values.get(i);
            if (!Double.isFinite(value)) {
                throw ApiException.badInput("histogram: values[" + i + "] is " + value + ": values must be finite");
            }
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        if (min == max) {
            min -= 0.5;
            max += 0.5;
        }
        double[] edges = new double[bins + 1];
        for (int i = 0; i < bins; i++) {
            edges[i] = min + (max - min) * i / bins;
        }
        edges[bins] = max;
        double[] counts = new double[bins];
        for (double value : values) {
            counts[Math.min(bins - 1, (int) ((value - min) / (max - min) * bins))]++;
        }
        return new MediaItem.Histogram(edges, counts);
    }

    private static MediaItem.Histogram given(List<Double> edges, List<Double> counts, int maxBins) {
        if (counts.isEmpty()) {
            throw ApiException.badInput("histogram: counts is empty");
        }
        checkBins(counts.size(), maxBins);
        if (edges.size() != counts.size() + 1) {
            throw ApiException.badInput("histogram: " + edges.size() + " edges for " + counts.size()
                    + " counts (edges must be one more)");
        }
        double[] e = new double[edges.size()];
        for (int i = 0; i < e.length; i++) {
            e[i] = edges.get(i);
            if (!Double.isFinite(e[i]) || i > 0 && e[i] <= e[i - 1]) {
                throw ApiException.badInput("histogram: edges[" + i + "] is " + e[i]
                        + ": edges must be finite and strictly increasing");
            }
        }
        double[] c = new double[counts.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i);
            if (!Double.isFinite(c[i]) || c[i] < 0) {
                throw ApiException.badInput("histogram: counts[" + i + "] is " + c[i] + ": counts must be finite and >= 0");
            }
        }
        return new MediaItem.Histogram(e, c);
    }

    private static void checkBins(int bins, int maxBins) {
        if (bins < 1) {
            throw ApiException.badInput("histogram: " + bins + " bins (at least 1)");
        }
        if (bins > maxBins) {
            throw ApiException.limit("histogram: " + bins + " bins", maxBins);
        }
    }
}
