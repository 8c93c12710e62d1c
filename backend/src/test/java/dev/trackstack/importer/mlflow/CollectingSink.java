package dev.trackstack.importer.mlflow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/** A sink that keeps what a reader hands it, for the reader's tests. */
final class CollectingSink implements ImportSink {

    record Handle(long runId, String key) implements RunHandle {
    }

    record Finish(RunStatus status, Instant endedAt) {
    }

    final List<ImportedRun> runs = new ArrayList<>();
    final Map<String, List<MetricPointInput>> points = new LinkedHashMap<>();
    final Map<String, Finish> finishes = new HashMap<>();
    final List<String> unmapped = new ArrayList<>();

    @Override
    public RunHandle run(ImportedRun run) {
        runs.add(run);
        points.put(run.key(), new ArrayList<>());
        return new Handle(runs.size(), run.key());
    }

    @Override
    public void points(RunHandle run, List<MetricPointInput> points) {
        this.points.get(((Handle) run).key()).addAll(points);
    }

    @Override
    public void console(RunHandle run, List<ImportedLine> lines) {
        throw new AssertionError("MLflow runs have no console text");
    }

    @Override
    public void media(RunHandle run, List<Map<String, Object>> items) {
        throw new AssertionError("The MLflow reader reads no media");
    }

    @Override
    public void finish(RunHandle run, RunStatus status, Instant endedAt) {
        finishes.put(((Handle) run).key(), new Finish(status, endedAt));
    }

    @Override
    public void unmapped(String what) {
        unmapped.add(what);
    }
}
