package dev.trackstack.importer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.console.ConsoleLineInput;
import dev.trackstack.console.ConsoleStream;
import dev.trackstack.media.MediaIngest;
import dev.trackstack.metric.LogResult;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.metric.PointProblem;
import dev.trackstack.run.RunStatus;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;

/**
 * The sink of one import job: batches points per run up to the logMetrics limit, numbers console lines per run (the
 * same numbers on every import, so a second one stores none), counts what was stored, and saves the counts to the
 * job's row at most once a second so that importJob shows progress.
 */
class JobSink implements ImportSink {

    static final int MAX_UNMAPPED = 1000;

    private final long jobId;
    private final String project;
    private final String model;
    private final ImportStore store;
    private final TrackstackProperties.Limits limits;
    private final Map<Long, List<MetricPointInput>> pending = new HashMap<>();
    private final Map<Long, Long> nextLine = new HashMap<>();
    /** Per run, the (name, step) pairs holding media before this import ("name\0step"), which it leaves alone. */
    private final Map<Long, Set<String>> mediaBefore = new HashMap<>();
    /** Per run and problem, points logMetrics would refuse: left out, and reported when the run finishes. */
    private final Map<Long, Map<PointProblem, Integer>> dropped = new HashMap<>();
    private final List<String> unmapped = new ArrayList<>();
    private int moreUnmapped;
    private int runsRead;
    private int runsCreated;
    private long pointsStored;
    private long pointsDuplicate;
    private long savedAt;

    /** What the job's row shows. */
    record Counts(int runsRead, int runsCreated, long pointsStored, long pointsDuplicate, List<String> unmapped) {
    }

    private record Handle(long runId, String key) implements RunHandle {
    }

    JobSink(long jobId, String project, String model, ImportStore store, TrackstackProperties.Limits limits) {
        this.jobId = jobId;
        this.project = project;
        this.model = model;
        this.store = store;
        this.limits = limits;
    }

    @Override
    public RunHandle run(ImportedRun run) {
        // The import's project, when given, takes every run; else the one the source names (an MLflow experiment).
        String runProject = project != null ? project : run.project();
        if (runProject == null) {
            throw new ImportException("Run " + run.key() + " names no project and the import gave none: give a project.");
        }
        String name = run.name() == null || run.name().length() <= limits.nameLength() ? run.name()
                : run.name().substring(0, limits.nameLength());
        ImportedRun named = new ImportedRun(run.key(), runProject, name, run.hyperparameters(), run.tags(), run.notes(),
                run.startedAt());
        ImportStore.StoredRun stored;
        try {
            stored = store.run(model, named);
        } catch (ApiException e) {
            // Hyperparameters, tags or notes over Trackstack's limits: the run is kept without them, and reported.
            unmapped("run " + run.key() + ": hyperparameters, tags and notes not imported (" + e.getMessage() + ")");
            stored = store.run(model, new ImportedRun(run.key(), runProject, name, Map.of(), List.of(), null,
                    run.startedAt()));
        }
        runsRead++;
        if (stored.created()) {
            runsCreated++;
        }
        store.runRead(jobId, runsRead, stored.id());
        save(true);
        return new Handle(stored.id(), run.key());
    }

    @Override
    public void points(RunHandle run, List<MetricPointInput> points) {
        List<MetricPointInput> batch = pending.computeIfAbsent(run.runId(), id -> new ArrayList<>());
        for (MetricPointInput point : points) {
            PointProblem problem = PointProblem.of(point, limits.nameLength());
            if (problem != null) {
                dropped.computeIfAbsent(run.runId(), id -> new EnumMap<>(PointProblem.class)).merge(problem, 1,
                        Integer::sum);
                continue;
            }
            batch.add(point);
            if (batch.size() == limits.pointsPerBatch()) {
                flush(run.runId());
                batch = pending.computeIfAbsent(run.runId(), id -> new ArrayList<>());
            }
        }
    }

    private void flush(long runId) {
        List<MetricPointInput> batch = pending.remove(runId);
        if (batch == null || batch.isEmpty()) {
            return;
        }
        LogResult result = store.points(runId, batch);
        pointsStored += result.accepted();
        pointsDuplicate += result.duplicates();
        save(false);
    }

    @Override
    public void console(RunHandle run, List<ImportedLine> lines) {
        long first = nextLine.getOrDefault(run.runId(), 0L);
        List<ConsoleLineInput> numbered = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            ImportedLine line = lines.get(i);
            numbered.add(new ConsoleLineInput(first + i, ConsoleStream.STDOUT, line.text(),
                    ImportStore.utc(line.time())));
        }
        nextLine.put(run.runId(), first + lines.size());
        store.console(run.runId(), numbered);
    }

    @Override
    public void media(RunHandle run, List<Map<String, Object>> items) {
        Set<String> before = mediaBefore.computeIfAbsent(run.runId(), store::mediaSteps);
        List<Map<String, Object>> fresh = items.stream()
                .filter(item -> !before.contains(item.get("name") + "\0" + item.get("step"))).toList();
        if (fresh.isEmpty()) {
            return;
        }
        String key = ((Handle) run).key();
        for (MediaIngest.ItemError error : store.media(run.runId(), fresh).errors()) {
            Map<String, Object> item = fresh.get(error.index());
            unmapped("run " + key + ": media " + item.get("name") + " at step " + item.get("step") + " not imported ("
                    + error.message() + ")");
        }
    }

    @Override
    public void finish(RunHandle run, RunStatus status, Instant endedAt) {
        flush(run.runId());
        Map<PointProblem, Integer> problems = dropped.remove(run.runId());
        if (problems != null) {
            String key = ((Handle) run).key();
            problems.forEach((problem, count) -> unmapped("run " + key + ": " + count + " points left out ("
                    + problem.rule(limits.nameLength()) + ")"));
        }
        store.finish(run.runId(), status, endedAt);
        save(true);
    }

    @Override
    public void unmapped(String what) {
        if (unmapped.size() < MAX_UNMAPPED - 1) {
            unmapped.add(what);
        } else {
            moreUnmapped++;
        }
    }

    /** Points of runs the reader did not finish (it failed): stored, so that what was read is not lost. */
    void flushAll() {
        List.copyOf(pending.keySet()).forEach(this::flush);
        save(true);
    }

    private void save(boolean now) {
        long time = System.nanoTime();
        if (now || time - savedAt > 1_000_000_000L) {
            savedAt = time;
            store.progress(jobId, counts());
        }
    }

    Counts counts() {
        List<String> lines = new ArrayList<>(unmapped);
        if (moreUnmapped > 0) {
            lines.add("… and " + moreUnmapped + " more");
        }
        return new Counts(runsRead, runsCreated, pointsStored, pointsDuplicate, lines);
    }
}
