package dev.trackstack.importer.mlflow;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;
import dev.trackstack.system.TrackstackProperties;

/**
 * Maps what the MLflow stores read onto Trackstack runs and hands it to the sink: the one place that decides the
 * mapping (docs/importing.md, "MLflow"), whichever store the runs come from.
 */
final class MlflowImport {

    static final String RUN_NAME_TAG = "mlflow.runName";
    static final String NOTE_TAG = "mlflow.note.content";

    private static final int BATCH = 10_000;
    /** A param that is a JSON number becomes a number; anything else stays the string MLflow stored. */
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private final ImportSink sink;
    private final TrackstackProperties.Limits limits;
    /** MLflow's own tags (mlflow.*) that have no place in Trackstack: how many runs had each. */
    private final Map<String, Integer> systemTags = new TreeMap<>();

    MlflowImport(ImportSink sink, TrackstackProperties.Limits limits) {
        this.sink = sink;
        this.limits = limits;
    }

    /** Reports an experiment that is not imported because it is deleted; {@code where} says how MLflow keeps it. */
    void skip(MlflowRun.Experiment experiment, String where) {
        sink.unmapped("experiment " + experiment.id() + " (" + experiment.name() + "): " + where + ", not imported");
    }

    /** Something of the store that is not an experiment or a run, in a line of its own. */
    void unmapped(String what) {
        sink.unmapped(what);
    }

    /**
     * Imports a run of the experiment (or reports it when it is deleted): the run, then every point {@code
     * history} hands (each metric's points together), then its end as MLflow recorded it.
     */
    <E extends Exception> void run(MlflowRun.Experiment experiment, MlflowRun run, History<E> history) throws E {
        if (run.deleted()) {
            sink.unmapped("run " + run.id() + " (" + name(run) + "): deleted in MLflow, not imported");
            return;
        }
        ImportSink.RunHandle handle = sink.run(new ImportedRun(run.id(), experiment.name(), name(run),
                hyperparameters(run.params()), tags(run), run.tags().get(NOTE_TAG),
                run.startTime() == null ? null : Instant.ofEpochMilli(run.startTime())));
        Points points = new Points(handle, run.id());
        history.read(points);
        points.flush();
        points.reportRepeats();
        if (run.artifactUri() != null && !run.artifactUri().isBlank()) {
            sink.unmapped("run " + run.id() + ": artifacts at " + run.artifactUri() + " not imported");
        }
        Instant end = run.endTime() == null ? null : Instant.ofEpochMilli(run.endTime());
        String status = run.status() == null || run.status().isEmpty() ? "no status" : run.status();
        switch (status) {
            case "FINISHED" -> sink.finish(handle, RunStatus.COMPLETED, end);
            case "FAILED", "KILLED" -> sink.finish(handle, RunStatus.FAILED, end);
            default -> sink.unmapped("run " + run.id() + ": " + status + " in MLflow, left RUNNING");
        }
    }

    /** Reports what the experiment has besides runs: its tags. */
    void experiment(MlflowRun.Experiment experiment) {
        if (experiment.tags() > 0) {
            sink.unmapped("experiment " + experiment.id() + " (" + experiment.name() + "): " + experiment.tags()
                    + (experiment.tags() == 1 ? " experiment tag" : " experiment tags") + " not imported");
        }
    }

    /** Ends the import: one line per MLflow system tag that was not mapped, with the number of runs that had it. */
    void close() {
        systemTags.forEach((tag, runs) -> sink.unmapped(
                "tag " + tag + " on " + runs + (runs == 1 ? " run" : " runs") + ": MLflow's own, not imported"));
    }

    private static String name(MlflowRun run) {
        return run.name() == null || run.name().isEmpty() ? run.tags().get(RUN_NAME_TAG) : run.name();
    }

    private static Map<String, Object> hyperparameters(Map<String, String> params) {
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        new TreeMap<>(params).forEach((key, value) -> hyperparameters.put(key, param(value)));
        return hyperparameters;
    }

    /** MLflow stores every param as a string: one that is a JSON number becomes that number, the rest stay. */
    static Object param(String value) {
        if (!NUMBER.matcher(value).matches()) {
            return value;
        }
        if (value.matches("-?[0-9]+")) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException tooLong) {
                return value;
            }
        }
        double number = Double.parseDouble(value);
        return Double.isInfinite(number) ? value : number;
    }

    /** User tags as "key=value" ("key" when the value is empty); MLflow's own are mapped or counted. */
    private List<String> tags(MlflowRun run) {
        List<String> tags = new ArrayList<>();
        List<String> left = new ArrayList<>();
        new TreeMap<>(run.tags()).forEach((key, value) -> {
            if (key.startsWith("mlflow.")) {
                if (!key.equals(RUN_NAME_TAG) && !key.equals(NOTE_TAG)) {
                    systemTags.merge(key, 1, Integer::sum);
                }
                return;
            }
            String tag = value == null || value.isEmpty() ? key : key + "=" + value;
            if (tag.length() > limits.nameLength() || tags.size() == limits.tagsPerRun()) {
                left.add(key);
            } else {
                tags.add(tag);
            }
        });
        if (!left.isEmpty()) {
            sink.unmapped("run " + run.id() + ": tags " + String.join(", ", left) + " not imported (a tag holds "
                    + limits.nameLength() + " characters, a run " + limits.tagsPerRun() + " tags)");
        }
        return tags;
    }

    /** A run's metric history as a store reads it. */
    @FunctionalInterface
    interface History<E extends Exception> {
        void read(Points points) throws E;
    }

    /** Takes a run's points in batches; counts the values logged at a step the metric already had. */
    final class Points {

        private final ImportSink.RunHandle handle;
        private final String runId;
        private final List<MetricPointInput> batch = new ArrayList<>();
        private final Map<String, Integer> repeats = new TreeMap<>();
        private String key;
        /** The steps of the current metric only: a store hands each metric's points together. */
        private final Set<Long> steps = new HashSet<>();

        private Points(ImportSink.RunHandle handle, String runId) {
            this.handle = handle;
            this.runId = runId;
        }

        /** A point of metric {@code key}, its time in milliseconds or null; the points of one key come together. */
        void add(String key, long step, double value, Long timestampMillis) {
            if (!key.equals(this.key)) {
                this.key = key;
                steps.clear();
            }
            if (!steps.add(step)) {
                repeats.merge(key, 1, Integer::sum);
            }
            batch.add(new MetricPointInput(key, null, step, value, timestampMillis == null ? null
                    : OffsetDateTime.ofInstant(Instant.ofEpochMilli(timestampMillis), ZoneOffset.UTC)));
            if (batch.size() == BATCH) {
                flush();
            }
        }

        private void flush() {
            if (!batch.isEmpty()) {
                sink.points(handle, List.copyOf(batch));
                batch.clear();
            }
        }

        private void reportRepeats() {
            repeats.forEach((metric, count) -> sink.unmapped("run " + runId + ", metric " + metric + ": " + count
                    + (count == 1 ? " value" : " values") + " logged at a step it already had; Trackstack keeps the "
                    + "first value of each step"));
        }
    }

    /** A metric value as MLflow writes it: Python's float text (nan, inf, -inf) or JSON's (NaN, Infinity). */
    static double value(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
        return switch (unsigned) {
            case "nan" -> Double.NaN;
            case "inf", "infinity" -> lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            default -> Double.parseDouble(lower);
        };
    }
}
