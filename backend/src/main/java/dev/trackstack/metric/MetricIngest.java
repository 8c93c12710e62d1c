package dev.trackstack.metric;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores logged points: one transaction per call, so a batch lands whole or not at all. Points go in as
 * arrays through a single INSERT … SELECT unnest (no entity per point), and the same statement folds the
 * rows it really inserted into the series summaries.
 */
@Service
public class MetricIngest {

    /** Summary columns of the points of each series in a row source {@code %s} (series_id, step, value). */
    static final String SUMMARIES = """
            select series_id,
                   count(*) as n,
                   min(step) as first_step,
                   max(step) as last_step,
                   (array_agg(value order by step desc))[1] as last_value,
                   min(value) filter (where finite) as min_value,
                   (array_agg(step order by value, step) filter (where finite))[1] as min_step,
                   max(value) filter (where finite) as max_value,
                   (array_agg(step order by value desc, step) filter (where finite))[1] as max_step
            from (select series_id, step, value, value not in ('NaN', 'Infinity', '-Infinity') as finite
                  from %s) points
            group by series_id
            """;

    private static final String INSERT_POINTS = """
            with inserted as (
                insert into metric_point (series_id, step, ts, value)
                select p.series_id, p.step, timestamptz 'epoch' + p.micros * interval '1 microsecond', p.value
                from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::float8[]) as p(series_id, step, micros, value)
                on conflict do nothing
                returning series_id, step, value
            ), batch as (
            """ + SUMMARIES.formatted("inserted") + """
            ), updated as (
                update metric_series s set
                    point_count = s.point_count + b.n,
                    first_step = least(s.first_step, b.first_step),
                    last_step = greatest(s.last_step, b.last_step),
                    last_value = case when s.last_step is null or b.last_step > s.last_step
                                      then b.last_value else s.last_value end,
                    min_step = case when s.min_value is null or b.min_value < s.min_value
                                    then b.min_step else s.min_step end,
                    min_value = least(s.min_value, b.min_value),
                    max_step = case when s.max_value is null or b.max_value > s.max_value
                                    then b.max_step else s.max_step end,
                    max_value = greatest(s.max_value, b.max_value)
                from batch b
                where s.id = b.series_id
                returning b.n
            )
            select coalesce(sum(n), 0) from updated
            """;

    private final JdbcTemplate jdbc;
    private final TrackstackProperties.Limits limits;

    MetricIngest(JdbcTemplate jdbc, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.limits = properties.limits();
    }

    @Transactional
    public LogResult log(long runId, List<MetricPointInput> points, String batchId) {
        validate(points, batchId);
        // Key-share lock: a concurrent deleteRuns waits for this batch instead of orphaning its points.
        List<String> status = jdbc.queryForList("select status from run where id = ? for key share", String.class,
                runId);
        if (status.isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        if ("CRASHED".equals(status.get(0))) {
            // Points arriving prove the process is alive after all.
            jdbc.update("update run set status = 'RUNNING', finished_at = null, last_heartbeat_at = now() "
                    + "where id = ?", runId);
        }
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
        Long accepted = jdbc.queryForObject(INSERT_POINTS, Long.class, series, steps, micros, values);
        return new LogResult(accepted.intValue(), n - accepted.intValue());
    }

    /** Creates the series the batch names for the first time, and answers the ids of all it names. */
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
                """, rs -> {
            ids.put(new SeriesKey(rs.getString(2), rs.getString(3)), rs.getLong(1));
        }, names, splits, runId);
        return ids;
    }

    private void validate(List<MetricPointInput> points, String batchId) {
        if (points.size() > limits.pointsPerBatch()) {
            throw ApiException.limit("A batch of " + points.size() + " points", limits.pointsPerBatch());
        }
        if (batchId != null && (batchId.isBlank() || batchId.length() > limits.nameLength())) {
            throw ApiException.badInput("batchId must be 1 to " + limits.nameLength() + " characters");
        }
        for (int i = 0; i < points.size(); i++) {
            MetricPointInput p = points.get(i);
            if (p.name() == null || p.name().isBlank() || p.name().length() > limits.nameLength()) {
                throw ApiException.badInput("points[" + i + "].name must be 1 to " + limits.nameLength()
                        + " characters");
            }
            if (p.split() != null && p.split().length() > limits.nameLength()) {
                throw ApiException.badInput("points[" + i + "].split must be at most " + limits.nameLength()
                        + " characters");
            }
            if (p.step() < 0) {
                throw ApiException.badInput("points[" + i + "].step must be >= 0, got " + p.step());
            }
        }
    }

    private static long toMicros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /** A series of the run; an empty split is the same series as no split. */
    record SeriesKey(String name, String split) {

        static SeriesKey of(MetricPointInput p) {
            return new SeriesKey(p.name(), p.split() == null || p.split().isEmpty() ? null : p.split());
        }
    }
}
