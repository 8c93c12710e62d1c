package dev.trackstack.metric;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.LivePoint;
import dev.trackstack.live.PointsLogged;
import dev.trackstack.run.RunLifecycle;
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
 * Stores logged points: a call's in one transaction (its own, or a group's: {@link GroupCommit}), so that a batch
 * lands whole or not at all. Points go in as
 * arrays through a single INSERT … SELECT unnest (no entity per point, see {@link PointStore#insert}); the
 * same statement folds the rows it really inserted into the series summaries (and the rollups, where ingest
 * keeps them) and answers them, so that subscribers get exactly those.
 */
@Service
public class MetricIngest {

    private final JdbcTemplate jdbc;
    private final LiveEvents live;
    private final RunLifecycle lifecycle;
    private final TrackstackProperties.Limits limits;
    private final PointStore store;

    MetricIngest(JdbcTemplate jdbc, LiveEvents live, RunLifecycle lifecycle, TrackstackProperties properties,
            PointStore store) {
        this.jdbc = jdbc;
        this.live = live;
        this.lifecycle = lifecycle;
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
        LogResult result = logTogether(List.of(new GroupCommit.Call(runId, batch, batchId))).get(0);
        if (result == null) {
            throw ApiException.notFound("run", runId);
        }
        return result;
    }

    /**
     * Stores calls as one after the other in the caller's transaction, with statements shared by all of them (a
     * group's, see {@link GroupCommit}): 5 round trips whatever their number, 7 when they create series. Answers
     * each call's result, null for a call whose run does not exist (it stores nothing); if this throws, the
     * transaction must be rolled back. A step given twice is stored from its first call, a batchId from its first.
     */
    List<LogResult> logTogether(List<GroupCommit.Call> calls) {
        Map<Long, String> projects = lockRuns(calls.stream().mapToLong(c -> c.runId).distinct().sorted().toArray());
        Set<BatchKey> fresh = registerBatchIds(calls.stream()
                .filter(c -> c.batchId != null && projects.containsKey(c.runId))
                .map(c -> new BatchKey(c.runId, c.batchId)).distinct().toList());
        List<GroupCommit.Call> writing = new ArrayList<>();
        for (GroupCommit.Call call : calls) {
            // A batchId stored before, or by an earlier call of these, is a resend: all its points are duplicates.
            if (projects.containsKey(call.runId)
                    && (call.batchId == null || fresh.remove(new BatchKey(call.runId, call.batchId)))) {
                writing.add(call);
            }
        }
        Map<RunSeries, Long> seriesIds = seriesIds(writing);
        int n = writing.stream().mapToInt(c -> c.points.size()).sum();
        long[] series = new long[n];
        long[] steps = new long[n];
        long[] micros = new long[n];
        double[] values = new double[n];
        long now = EpochMicros.of(Instant.now());
        int i = 0;
        for (GroupCommit.Call call : writing) {
            PointBatch batch = call.points;
            for (int j = 0; j < batch.size(); j++, i++) {
                series[i] = seriesIds.get(new RunSeries(call.runId, batch.series().get(batch.seriesOf()[j])));
                steps[i] = batch.steps()[j];
                micros[i] = batch.micros()[j] == PointBatch.ARRIVAL ? now : batch.micros()[j];
                values[i] = batch.values()[j];
            }
        }
        Set<PointKey> accepted = n == 0 ? new HashSet<>() : store.insert(series, steps, micros, values);
        Map<GroupCommit.Call, LogResult> results = new IdentityHashMap<>();
        List<LiveEvents.Logged> logged = new ArrayList<>();
        i = 0;
        for (GroupCommit.Call call : writing) {
            LiveEvents.Logged published = published(call, projects.get(call.runId), series, micros, i, accepted);
            i += call.points.size();
            int stored = published.event().points().size();
            results.put(call, new LogResult(stored, call.points.size() - stored));
            if (stored > 0) {
                logged.add(published);
            }
        }
        if (!logged.isEmpty()) {
            live.pointsLogged(logged);
        }
        return calls.stream().map(c -> !projects.containsKey(c.runId) ? null
                : results.getOrDefault(c, new LogResult(0, c.points.size()))).toList();  // else: a batchId seen
    }

    /**
     * Key-share locks on the runs (in id order), so that a concurrent deleteRuns waits for these points instead of
     * orphaning them; revives those CRASHED (points arriving prove the process alive after all). Answers the
     * runs found, with their project's name.
     */
    private Map<Long, String> lockRuns(long[] runIds) {
        Map<Long, String> projects = new HashMap<>();
        List<Long> crashed = new ArrayList<>();
        jdbc.query("""
                select r.id, r.status, p.name
                from run r join model m on m.id = r.model_id join project p on p.id = m.project_id
                where r.id = any(?)
                order by r.id
                for key share of r
                """, rs -> {
            projects.put(rs.getLong(1), rs.getString(3));
            if (RunStatus.CRASHED.name().equals(rs.getString(2))) {
                crashed.add(rs.getLong(1));
            }
        }, (Object) runIds);
        crashed.forEach(lifecycle::revive);
        return projects;
    }

    /** Answers the batchIds not seen before, now recorded. */
    private Set<BatchKey> registerBatchIds(List<BatchKey> keys) {
        if (keys.isEmpty()) {
            return new HashSet<>();
        }
        return new HashSet<>(jdbc.query("""
                insert into ingest_batch (run_id, batch_id)
                select * from unnest(?::bigint[], ?::text[])
                on conflict do nothing
                returning run_id, batch_id
                """, (rs, row) -> new BatchKey(rs.getLong(1), rs.getString(2)),
                keys.stream().mapToLong(BatchKey::runId).toArray(),
                keys.stream().map(BatchKey::batchId).toArray(String[]::new)));
    }

    /** What a call stored, for its subscribers: exactly its points in the accepted ones, in step order per series. */
    private LiveEvents.Logged published(GroupCommit.Call call, String project, long[] series, long[] micros,
            int from, Set<PointKey> accepted) {
        PointBatch batch = call.points;
        List<LivePoint> stored = new ArrayList<>();
        Map<Long, long[]> ranges = new HashMap<>();
        for (int j = 0; j < batch.size(); j++) {
            long seriesId = series[from + j];
            long step = batch.steps()[j];
            // remove(): a step given twice (in one call or an earlier one of the group) was stored once, the first.
            if (accepted.remove(new PointKey(seriesId, step))) {
                SeriesKey key = batch.series().get(batch.seriesOf()[j]);
                stored.add(new LivePoint(key.name(), key.split(), step, batch.values()[j],
                        EpochMicros.toTime(micros[from + j])));
                ranges.merge(seriesId, new long[] {seriesId, step, step}, (a, b) ->
                        new long[] {a[0], Math.min(a[1], b[1]), Math.max(a[2], b[2])});
            }
        }
        stored.sort(LivePoint.ORDER);
        return new LiveEvents.Logged(new PointsLogged(call.runId, project, stored), List.copyOf(ranges.values()));
    }

    /**
     * The ids of the series the calls name, locked (in id order, against deadlocks) so that concurrent batches of a
     * series take turns; those named for the first time are created first (in name order, so that two calls creating
     * the same ones wait on each other in one order).
     */
    private Map<RunSeries, Long> seriesIds(List<GroupCommit.Call> calls) {
        List<RunSeries> keys = calls.stream().filter(c -> c.points.size() > 0)
                .flatMap(c -> c.points.series().stream().map(key -> new RunSeries(c.runId, key))).distinct().toList();
        if (keys.isEmpty()) {
            return Map.of();
        }
        long[] runIds = keys.stream().mapToLong(RunSeries::runId).toArray();
        String[] names = keys.stream().map(k -> k.key().name()).toArray(String[]::new);
        String[] splits = keys.stream().map(k -> k.key().split()).toArray(String[]::new);
        Map<RunSeries, Long> ids = lockSeries(runIds, names, splits);
        if (ids.size() < keys.size()) {
            jdbc.update("""
                    insert into metric_series (run_id, name, split)
                    select k.run_id, k.name, k.split from unnest(?::bigint[], ?::text[], ?::text[]) as k(run_id, name, split)
                    order by k.run_id, k.name, coalesce(k.split, '')
                    on conflict (run_id, name, coalesce(split, '')) do nothing
                    """, runIds, names, splits);
            ids = lockSeries(runIds, names, splits);
        }
        return ids;
    }

    private Map<RunSeries, Long> lockSeries(long[] runIds, String[] names, String[] splits) {
        Map<RunSeries, Long> ids = new HashMap<>();
        jdbc.query("""
                select s.id, s.run_id, s.name, s.split from metric_series s
                join unnest(?::bigint[], ?::text[], ?::text[]) as k(run_id, name, split)
                  on s.run_id = k.run_id and s.name = k.name and coalesce(s.split, '') = coalesce(k.split, '')
                order by s.id
                for no key update of s
                """, rs -> {
            ids.put(new RunSeries(rs.getLong(2), new SeriesKey(rs.getString(3), rs.getString(4))), rs.getLong(1));
        }, runIds, names, splits);
        return ids;
    }

    public void checkBatchId(String batchId) {
        if (batchId != null && (batchId.isBlank() || batchId.length() > limits.nameLength())) {
            throw ApiException.badInput("batchId must be 1 to " + limits.nameLength() + " characters");
        }
    }

    private record BatchKey(long runId, String batchId) {
    }

    private record RunSeries(long runId, SeriesKey key) {
    }

    /** A series of the run; an empty split is the same series as no split. */
    public record SeriesKey(String name, String split) {

        static SeriesKey of(String name, String split) {
            return new SeriesKey(name, split == null || split.isEmpty() ? null : split);
        }
    }
}
