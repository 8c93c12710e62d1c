package dev.trackstack.metric;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.LivePoint;
import dev.trackstack.live.PointsLogged;
import dev.trackstack.run.RunLifecycle;
import dev.trackstack.run.RunRepository;
import dev.trackstack.run.RunStatus;
import dev.trackstack.storage.PointStore;
import dev.trackstack.storage.PointStore.PointKey;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.EpochMicros;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores logged points: one transaction per call, so a batch lands whole or not at all. Points go in as
 * arrays through a single INSERT … SELECT unnest (no entity per point, see {@link PointStore#insert}); the
 * same statement folds the rows it really inserted into the series summaries (and the rollups, where ingest
 * keeps them) and answers them, so that subscribers get exactly those.
 */
@Service
public class MetricIngest {

    private final JdbcTemplate jdbc;
    private final LiveEvents live;
    private final RunLifecycle lifecycle;
    private final RunRepository runs;
    private final TrackstackProperties.Limits limits;
    private final PointStore store;

    MetricIngest(JdbcTemplate jdbc, LiveEvents live, RunLifecycle lifecycle, RunRepository runs,
            TrackstackProperties properties, PointStore store) {
        this.jdbc = jdbc;
        this.live = live;
        this.lifecycle = lifecycle;
        this.runs = runs;
        this.limits = properties.limits();
        this.store = store;
    }

    @Transactional
    public LogResult log(long runId, List<MetricPointInput> points, String batchId) {
        return logInTransaction(runId, points, batchId);
    }

    /** {@link #log} in the caller's transaction, which rolls back what this throws ({@link GroupCommit}: to a savepoint). */
    LogResult logInTransaction(long runId, List<MetricPointInput> points, String batchId) {
        validate(points, batchId);
        // Key-share lock: a concurrent deleteRuns waits for this batch instead of orphaning its points.
        List<String> status = jdbc.queryForList("select r.status from run r where r.id = ? for key share of r",
                String.class, runId);
        if (status.isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        if (RunStatus.CRASHED.name().equals(status.get(0))) {
            lifecycle.revive(runId);  // points arriving prove the process is alive after all
        }
        String project = runs.findProjectName(runId);
        if (batchId != null && jdbc.update("insert into ingest_batch (run_id, batch_id) values (?, ?) "
                + "on conflict do nothing", runId, batchId) == 0) {
            return new LogResult(0, points.size());
        }
        if (points.isEmpty()) {
            return new LogResult(0, 0);
        }
        Map<SeriesKey, Long> seriesIds = seriesIds(runId, points);
        int n = points.size();
        long[] series = new long[n];
        long[] steps = new long[n];
        long[] micros = new long[n];
        double[] values = new double[n];
        long now = toMicros(Instant.now());
        for (int i = 0; i < n; i++) {
            MetricPointInput p = points.get(i);
            series[i] = seriesIds.get(SeriesKey.of(p));
            steps[i] = p.step();
            micros[i] = p.time() == null ? now : toMicros(p.time().toInstant());
            values[i] = p.value();
        }
        Set<PointKey> accepted = store.insert(series, steps, micros, values);
        int stored = accepted.size();
        if (stored > 0) {
            publish(runId, project, points, series, micros, accepted);
        }
        return new LogResult(stored, n - stored);
    }

    /** Subscribers get exactly the points this call stored, in step order per series. */
    private void publish(long runId, String project, List<MetricPointInput> points, long[] series, long[] micros,
            Set<PointKey> accepted) {
        List<LivePoint> stored = new ArrayList<>();
        Map<Long, long[]> ranges = new HashMap<>();
        for (int i = 0; i < points.size(); i++) {
            MetricPointInput p = points.get(i);
            // remove(): a step given twice in one call was stored once, from its first occurrence.
            if (accepted.remove(new PointKey(series[i], p.step()))) {
                SeriesKey key = SeriesKey.of(p);
                stored.add(new LivePoint(key.name(), key.split(), p.step(), p.value(), EpochMicros.toTime(micros[i])));
                ranges.merge(series[i], new long[] {series[i], p.step(), p.step()}, (a, b) ->
                        new long[] {a[0], Math.min(a[1], b[1]), Math.max(a[2], b[2])});
            }
        }
        stored.sort(LivePoint.ORDER);
        live.pointsLogged(new PointsLogged(runId, project, stored), List.copyOf(ranges.values()));
    }

    /**
     * Creates the series the batch names for the first time, and answers the ids of all it names, locked (in id
     * order, against deadlocks) so that concurrent batches of one series take turns.
     */
    private Map<SeriesKey, Long> seriesIds(long runId, List<MetricPointInput> points) {
        List<SeriesKey> keys = points.stream().map(SeriesKey::of).distinct().toList();
        String[] names = keys.stream().map(SeriesKey::name).toArray(String[]::new);
        String[] splits = keys.stream().map(SeriesKey::split).toArray(String[]::new);
        jdbc.update("""
                insert into metric_series (run_id, name, split)
                select ?, k.name, k.split from unnest(?::text[], ?::text[]) as k(name, split)
                on conflict (run_id, name, coalesce(split, '')) do nothing
                """, runId, names, splits);
        Map<SeriesKey, Long> ids = new HashMap<>();
        jdbc.query("""
                select s.id, s.name, s.split from metric_series s
                join unnest(?::text[], ?::text[]) as k(name, split)
                  on s.name = k.name and coalesce(s.split, '') = coalesce(k.split, '')
                where s.run_id = ?
                order by s.id
                for no key update of s
                """, rs -> {
            ids.put(new SeriesKey(rs.getString(2), rs.getString(3)), rs.getLong(1));
        }, names, splits, runId);
        return ids;
    }

    void validate(List<MetricPointInput> points, String batchId) {
        if (points.size() > limits.pointsPerBatch()) {
            throw ApiException.limit("A batch of " + points.size() + " points", limits.pointsPerBatch());
        }
        if (batchId != null && (batchId.isBlank() || batchId.length() > limits.nameLength())) {
            throw ApiException.badInput("batchId must be 1 to " + limits.nameLength() + " characters");
        }
        for (int i = 0; i < points.size(); i++) {
            PointProblem problem = PointProblem.of(points.get(i), limits.nameLength());
            if (problem != null) {
                throw ApiException.badInput("points[" + i + "]." + problem.describe(points.get(i), limits.nameLength()));
            }
        }
    }

    private static long toMicros(Instant instant) {
        // Not ChronoUnit.MICROS.between: it counts in nanoseconds, which overflow past the year 2262.
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    /** A series of the run; an empty split is the same series as no split. */
    record SeriesKey(String name, String split) {

        static SeriesKey of(MetricPointInput p) {
            return new SeriesKey(p.name(), p.split() == null || p.split().isEmpty() ? null : p.split());
        }
    }
}
