package dev.trackstack.importer;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/**
 * Takes what a {@link RunReader} reads. The sink stores it through the same path as logMetrics, so importing a
 * source twice stores nothing twice: runs are found again by their key, points by (series, step), console lines by
 * their number.
 */
public interface ImportSink {

    /** The run with the key, made on the first import and found on later ones; points and lines go to it. */
    RunHandle run(ImportedRun run);

    /** Points of the run, any number per call (the sink batches them); a step seen before keeps its first value. */
    void points(RunHandle run, List<MetricPointInput> points);

    /** Text of the run (TensorBoard text, W&B output.log), appended to its console in the order given. */
    void console(RunHandle run, List<ImportedLine> lines);

    /**
     * Media items of the run (TensorBoard images, histograms and text), as logMedia's items; a (name, step) that
     * holds items from an earlier import is left as it is.
     */
    void media(RunHandle run, List<Map<String, Object>> items);

    /** Ends the run as its source says: its final status and, when known, its end time. */
    void finish(RunHandle run, RunStatus status, Instant endedAt);

    /** One line on something of the source that was not imported, e.g. {@code "run 3f2a: 12 image summaries"}. */
    void unmapped(String what);

    /** A run being imported. */
    interface RunHandle {
        long runId();
    }

    /** A line of text and when it was written (null: unknown). */
    record ImportedLine(String text, Instant time) {
    }
}
