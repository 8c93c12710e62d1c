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

    /** {@link #log(long, PointBatch, String)} for points as objects, checked as logMetrics checks them. */
    @Transactional
    public LogResult log(long runId, List<MetricPointInput> points, String batchId) {
        return log(runId, PointBatch.ofPoints(points, limits), batchId);
    }

    @Transactional
    public LogResult log(long runId, PointBatch batch, String batchId) {
        return logInTransaction(runId, batch, batchId);
    }

    /** {@link #log} in the caller's transaction, which rolls back what this throws ({@link GroupCommit}: to a savepoint). */
    LogResult logInTransaction(long runId, PointBatch batch, String batchId) {
        checkBatchId(batchId);
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
            return new LogResult(0, batch.size());
        }
        int n = batch.size();
        if (n == 0) {
            return new LogResult(0, 0);
        }
        long[] seriesIds = seriesIds(runId, batch.series());
        long[] series = new long[n];
        long[] micros = new long[n];
        long now = EpochMicros.of(Instant.now());
        for (int i = 0; i < n; i++) {
            series[i] = seriesIds[batch.seriesOf()[i]];
            micros[i] = batch.micros()[i] == PointBatch.ARRIVAL ? now : batch.micros()[i];
        }
        Set<PointKey> accepted = store.insert(series, batch.steps(), micros, batch.values());
        int stored = accepted.size();
        if (stored > 0) {
            publish(runId, project, batch, series, micros, accepted);
        }
        return new LogResult(stored, n - stored);
    }

    /** Subscribers get exactly the points this call stored, in step order per series. */
    private void publish(long runId, String project, PointBatch batch, long[] series, long[] micros,
            Set<PointKey> accepted) {
        List<LivePoint> stored = new ArrayList<>();
        Map<Long, long[]> ranges = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            long step = batch.steps()[i];
            // remove(): a step given twice in one call was stored once, from its first occurrence.
            if (accepted.remove(new PointKey(series[i], step))) {
                SeriesKey key = batch.series().get(batch.seriesOf()[i]);
                stored.add(new LivePoint(key.name(), key.split(), step, batch.values()[i],
                        EpochMicros.toTime(micros[i])));
                ranges.merge(series[i], new long[] {series[i], step, step}, (a, b) ->
                        new long[] {a[0], Math.min(a[1], b[1]), Math.max(a[2], b[2])});
            }
        }
        stored.sort(LivePoint.ORDER);
        live.pointsLogged(new PointsLogged(runId, project, stored), List.copyOf(ranges.values()));
    }

    /**
     * Creates the series the batch names for the first time (in name order, so that two calls creating the same
     * ones wait on each other in one order), and answers the ids of all it names, locked (in id order, against
     * deadlocks) so that concurrent batches of one series take turns.
     */
    private long[] seriesIds(long runId, List<SeriesKey> keys) {
        String[] names = keys.stream().map(SeriesKey::name).toArray(String[]::new);
        String[] splits = keys.stream().map(SeriesKey::split).toArray(String[]::new);
        jdbc.update("""
                insert into metric_series (run_id, name, split)
                select ?, k.name, k.split from unnest(?::text[], ?::text[]) as k(name, split)
                order by k.name, coalesce(k.split, '')
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
        return keys.stream().mapToLong(ids::get).toArray();
    }

    public void checkBatchId(String batchId) {
        if (batchId != null && (batchId.isBlank() || batchId.length() > limits.nameLength())) {
            throw ApiException.badInput("batchId must be 1 to " + limits.nameLength() + " characters");
        }
    }

    /** A series of the run; an empty split is the same series as no split. */
    public record SeriesKey(String name, String split) {

        static SeriesKey of(String name, String split) {
            return new SeriesKey(name, split == null || split.isEmpty() ? null : split);
        }
    }
}
