package dev.trackstack.importer.tensorboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/** Keeps what a reader hands over, per run, in the order handed. */
final class CollectingSink implements ImportSink {

    final List<Collected> runs = new ArrayList<>();
    final List<String> unmapped = new ArrayList<>();
    final List<Integer> pointCalls = new ArrayList<>();

    @Override
    public RunHandle run(ImportedRun run) {
        Collected collected = new Collected(runs.size(), run);
        runs.add(collected);
        return collected;
    }

    @Override
    public void points(RunHandle run, List<MetricPointInput> points) {
        pointCalls.add(points.size());
        collected(run).points.addAll(points);
    }

    @Override
    public void console(RunHandle run, List<ImportedLine> lines) {
        collected(run).lines.addAll(lines);
    }

    @Override
    public void media(RunHandle run, List<Map<String, Object>> items) {
        collected(run).media.addAll(items);
    }

    @Override
    public void finish(RunHandle run, RunStatus status, Instant endedAt) {
        Collected collected = collected(run);
        collected.status = status;
        collected.endedAt = endedAt;
    }

    @Override
    public void unmapped(String what) {
        unmapped.add(what);
    }

    Collected run(String key) {
        return runs.stream().filter(run -> run.run.key().equals(key)).findFirst().orElseThrow();
    }

    private Collected collected(RunHandle run) {
        Collected collected = runs.get((int) run.runId());
        if (collected.status != null) {
            throw new AssertionError("run " + collected.run.key() + " was given data after it finished");
        }
        return collected;
    }

    static final class Collected implements RunHandle {

        final long id;
        final ImportedRun run;
        final List<MetricPointInput> points = new ArrayList<>();
        final List<ImportedLine> lines = new ArrayList<>();
        final List<Map<String, Object>> media = new ArrayList<>();
        RunStatus status;
        Instant endedAt;

        Collected(long id, ImportedRun run) {
            this.id = id;
            this.run = run;
        }

        @Override
        public long runId() {
            return id;
        }
    }
}
