package dev.trackstack.importer.wandb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/** A sink that keeps what a reader hands it, per run key, for the reader's tests. */
final class CollectingSink implements ImportSink {

    /** What the sink got for one run. */
    static final class Collected implements RunHandle {
        final ImportedRun run;
        final List<MetricPointInput> points = new ArrayList<>();
        final List<ImportedLine> lines = new ArrayList<>();
        final List<Map<String, Object>> media = new ArrayList<>();
        final List<Integer> pointBatches = new ArrayList<>();
        RunStatus status;
        Instant endedAt;

        Collected(ImportedRun run) {
            this.run = run;
        }

        @Override
        public long runId() {
            return 0;
        }

        List<MetricPointInput> series(String name) {
            return points.stream().filter(point -> point.name().equals(name)).toList();
        }
    }

    final Map<String, Collected> runs = new LinkedHashMap<>();
    final List<String> unmapped = new ArrayList<>();

    @Override
    public RunHandle run(ImportedRun run) {
        Collected collected = new Collected(run);
        runs.put(run.key(), collected);
        return collected;
    }

    @Override
    public void points(RunHandle run, List<MetricPointInput> points) {
        ((Collected) run).points.addAll(points);
        ((Collected) run).pointBatches.add(points.size());
    }

    @Override
    public void console(RunHandle run, List<ImportedLine> lines) {
        ((Collected) run).lines.addAll(lines);
    }

    @Override
    public void media(RunHandle run, List<Map<String, Object>> items) {
        ((Collected) run).media.addAll(items);
    }

    @Override
    public void finish(RunHandle run, RunStatus status, Instant endedAt) {
        ((Collected) run).status = status;
        ((Collected) run).endedAt = endedAt;
    }

    @Override
    public void unmapped(String what) {
        unmapped.add(what);
    }
}
