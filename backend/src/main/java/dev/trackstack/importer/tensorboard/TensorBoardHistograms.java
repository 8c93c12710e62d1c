package dev.trackstack.importer.tensorboard;

import java.util.ArrayList;
import java.util.List;

import dev.trackstack.importer.tensorboard.proto.HistogramProto;

/**
 * TensorBoard's histograms as bin edges and counts, as logMedia takes them: v1 HistogramProto buckets (each from
 * the limit before it, the first from min and the last to max, as TensorBoard's data_compat reads them) and the
 * histograms plugin's [k, 3] tensors of (left, right, count). Empty buckets at either end go, buckets of no width
 * join their neighbour (a histogram of one value), and more than MAX_BINS buckets are merged pairwise.
 */
final class TensorBoardHistograms {

    /** logMedia's default limit (trackstack.media.max-bins). */
    static final int MAX_BINS = 1024;

    /** Edges (one more) and counts; null for a histogram without a count. */
    record Bins(List<Double> edges, List<Double> counts) {
    }

    private TensorBoardHistograms() {
    }

    static Bins of(HistogramProto histogram) {
        int n = histogram.getBucketCount();
        double[] lefts = new double[n];
        double[] rights = new double[n];
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) {
            lefts[i] = i == 0 ? histogram.getMin() : histogram.getBucketLimit(i - 1);
            rights[i] = i == n - 1 ? histogram.getMax() : histogram.getBucketLimit(i);
            counts[i] = histogram.getBucket(i);
        }
        return of(lefts, rights, counts);
    }

    /** The plugin's tensor, its numbers in row order; null when it is not k rows of 3. */
    static Bins of(double[] rows) {
        if (rows == null || rows.length % 3 != 0) {
            return null;
        }
        int n = rows.length / 3;
        double[] lefts = new double[n];
        double[] rights = new double[n];
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) {
            lefts[i] = rows[3 * i];
            rights[i] = rows[3 * i + 1];
            counts[i] = rows[3 * i + 2];
        }
        return of(lefts, rights, counts);
    }

    private static Bins of(double[] lefts, double[] rights, double[] counts) {
        int first = 0;
        int last = counts.length - 1;
        while (first <= last && !(counts[first] > 0)) {
            first++;
        }
        while (last >= first && !(counts[last] > 0)) {
            last--;
        }
        if (first > last) {
            return null;
        }
        List<Double> edges = new ArrayList<>();
        List<Double> kept = new ArrayList<>();
        double carried = 0;
        for (int i = first; i <= last; i++) {
            double left = edges.isEmpty() ? lefts[i] : edges.get(edges.size() - 1);
            if (!(rights[i] > left)) {
                // No width: its count joins the bucket before (or the next, for the first).
                if (kept.isEmpty()) {
                    carried += counts[i];
                } else {
                    kept.set(kept.size() - 1, kept.get(kept.size() - 1) + counts[i]);
                }
                continue;
            }
            if (edges.isEmpty()) {
                edges.add(left);
            }
            edges.add(rights[i]);
            kept.add(counts[i] + carried);
            carried = 0;
        }
        if (kept.isEmpty()) {
            // Every value the same: one bin around it, as numpy makes.
            double value = lefts[first];
            return new Bins(List.of(value - 0.5, value + 0.5), List.of(carried));
        }
        while (kept.size() > MAX_BINS) {
            List<Double> mergedEdges = new ArrayList<>();
            List<Double> mergedCounts = new ArrayList<>();
            for (int i = 0; i < kept.size(); i += 2) {
                mergedEdges.add(edges.get(i));
                mergedCounts.add(kept.get(i) + (i + 1 < kept.size() ? kept.get(i + 1) : 0));
            }
            mergedEdges.add(edges.get(edges.size() - 1));
            edges = mergedEdges;
            kept = mergedCounts;
        }
        return new Bins(edges, kept);
    }
}
