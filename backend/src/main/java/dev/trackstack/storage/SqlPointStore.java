package dev.trackstack.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.system.EpochMicros;
import org.springframework.jdbc.core.JdbcTemplate;

/** What both point stores do alike: the points table, the ingest statement around their parts, raw part reads. */
abstract class SqlPointStore implements PointStore {

    /** Summary columns of the points of each series in a row source {@code %s} (series_id, step, value). */
    private static final String SUMMARIES = """
            select series_id,
                   count(*) as n,
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

    /**
     * A hypertable's unique index must contain its time column, so there steps are kept unique by looking for them:
     * only below the series' last step, under the lock that ingest takes on the series.
     */
    static final String STEP_IS_NEW_IN_HYPERTABLE = """
            where g.step > s.last_step or s.last_step is null
               or not exists (select from metric_point e where e.series_id = g.series_id and e.step = g.step)
            """;

    private static final String RECOMPUTE = "with summary as ("
            + SUMMARIES.formatted("metric_point where series_id in (select id from metric_series where run_id = ?)")
            + """
            )
            update metric_series s set point_count = b.n, last_step = b.last_step,
                   last_value = b.last_value, min_step = b.min_step, min_value = b.min_value,
                   max_step = b.max_step, max_value = b.max_value
            from summary b where s.id = b.series_id
            """;

    static final String RANGES = "unnest(?::bigint[], ?::bigint[], ?::bigint[])";

    /** Raw points as parts, of the step ranges {@code %s}: rows of (series_id, lo, hi). */
    static final String RAW_PARTS = """
            select p.series_id, p.step as last_step, p.ts as last_ts, p.value as last_value,
                   case when p.value not in ('NaN', 'Infinity', '-Infinity') then p.value end as min_value,
                   case when p.value not in ('NaN', 'Infinity', '-Infinity') then p.value end as max_value,
                   1 as n
            from %s as c(series_id, lo, hi)
            cross join lateral (select * from metric_point p where p.series_id = c.series_id
                                and p.step between c.lo and c.hi offset 0) p
            """;

    /** The parts (the second {@code %s}), with their last times in epoch microseconds. */
    private static final String PARTS = """
            select series_id, last_step, %s, last_value, min_value, max_value, n
            from (%s) parts
            """;

    final JdbcTemplate jdbc;
    private final String insertPoints;

    /**
     * @param stepIsNew the condition on given points g joined to their series s that keeps steps unique, if the
     *                  points table's key does not
     * @param fold      further statements (as CTEs) on the inserted points, or ""
     */
    SqlPointStore(JdbcTemplate jdbc, String stepIsNew, String fold) {
        this.jdbc = jdbc;
        this.insertPoints = """
                with given as (
                    select distinct on (series_id, step) series_id, step, micros, value
                    from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::float8[])
                         with ordinality as p(series_id, step, micros, value, i)
                    order by series_id, step, i
                ), inserted as (
                    insert into metric_point (series_id, step, ts, value)
                    select g.series_id, g.step, timestamptz 'epoch' + g.micros * interval '1 microsecond', g.value
                    from given g join metric_series s on s.id = g.series_id
                """ + stepIsNew + """
                    on conflict do nothing
                    returning series_id, step, ts, value
                ), batch as (
                """ + SUMMARIES.formatted("inserted") + """
                ), updated as (
                    update metric_series s set
                        point_count = s.point_count + b.n,
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
                )""" + fold + """
                select series_id, step from inserted
                """;
    }

    /** The arguments of the ingest statement after the points' columns. */
    Object[] foldArguments() {
        return new Object[0];
    }

    @Override
    public Set<PointKey> insert(long[] series, long[] steps, long[] micros, double[] values) {
        List<Object> arguments = new ArrayList<>(List.of(series, steps, micros, values));
        arguments.addAll(List.of(foldArguments()));
        return new HashSet<>(jdbc.query(insertPoints, (rs, i) -> new PointKey(rs.getLong(1), rs.getLong(2)),
                arguments.toArray()));
    }

    @Override
    public void deletePoints(Long[] runIds) {
        jdbc.update("delete from metric_point where series_id in "
                + "(select id from metric_series where run_id = any(?))", (Object) runIds);
    }

    @Override
    public long rewind(long runId, long toStep) {
        Removed removed = jdbc.queryForObject("""
                with removed as (
                    delete from metric_point
                    where series_id in (select id from metric_series where run_id = ?) and step > ?
                    returning ts
                )
                select count(*), min(ts), max(ts) from removed
                """, (rs, i) -> new Removed(rs.getLong(1), rs.getObject(2, OffsetDateTime.class),
                rs.getObject(3, OffsetDateTime.class)), runId, toStep);
        if (removed.count() > 0) {
            jdbc.update("""
                    update metric_series set point_count = 0, last_step = null, last_value = null,
                           min_step = null, min_value = null, max_step = null, max_value = null
                    where run_id = ?
                    """, runId);
            jdbc.update(RECOMPUTE, runId);
            levelsRewound(runId, toStep, removed.from(), removed.to());
        }
        return removed.count();
    }

    /**
     * Brings the downsampled levels in line once the run's points after {@code toStep}, logged from {@code from} to
     * {@code to}, were removed.
     */
    abstract void levelsRewound(long runId, long toStep, OffsetDateTime from, OffsetDateTime to);

    private record Removed(long count, OffsetDateTime from, OffsetDateTime to) {
    }

    /** Reads parts (rows of series_id, last step, last time, value, min, max, count) into their series' rows. */
    void readParts(String parts, List<long[]> arguments, Map<Long, List<BucketRow>> read) {
        jdbc.query(PARTS.formatted(EpochMicros.sql("last_ts"), parts), rs -> {
            collect(read, rs);
        }, arguments.toArray());
    }

    static void collect(Map<Long, List<BucketRow>> rows, ResultSet rs) throws SQLException {
        rows.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new BucketRow(rs.getLong(2), rs.getLong(3),
                rs.getDouble(4), bound(rs, 5), bound(rs, 6), rs.getInt(7)));
    }

    private static double bound(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : value;
    }

    /** Parallel arrays, to send rows to PostgreSQL as unnest(array, …). */
    static final class Columns {

        private final int width;
        final List<long[]> rows = new ArrayList<>();

        Columns(int width) {
            this.width = width;
        }

        void add(long... row) {
            rows.add(row);
        }

        List<long[]> arrays() {
            List<long[]> arrays = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                long[] column = new long[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    column[r] = rows.get(r)[c];
                }
                arrays.add(column);
            }
            return arrays;
        }
    }
}
