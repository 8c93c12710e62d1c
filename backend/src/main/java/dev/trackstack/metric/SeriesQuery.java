package dev.trackstack.metric;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads series for charts. A series with at most maxPoints points in the step range comes back raw; a longer
 * one is cut into at most maxPoints equal step buckets, each keeping its finite min and max (so that spikes
 * stay visible), its count, and its last point as the representative at a real step.
 */
@Service
public class SeriesQuery {

    private static final String SERIES = """
            select id, run_id, name, split, point_count from metric_series
            where run_id = any(?) and (?::text[] is null or name = any(?::text[]))
              and (?::text[] is null or coalesce(split, '') = any(?::text[]))
            order by run_id, name, split nulls first
            """;

    private static final String RANGES = """
            select series_id, count(*), min(step), max(step) from metric_point
            where series_id = any(?) and step between ? and ?
            group by series_id
            """;

    private static final String RAW = """
            select p.series_id, p.step, p.ts, p.value, null::float8, null::float8, null::int
            from unnest(?::bigint[]) as r(series_id)
            join metric_point p on p.series_id = r.series_id and p.step between ? and ?
            order by p.series_id, p.step
            """;

    private static final String BUCKETS = """
            select b.series_id, max(p.step),
                   (array_agg(p.ts order by p.step desc))[1],
                   (array_agg(p.value order by p.step desc))[1],
                   min(p.value) filter (where p.value not in ('NaN', 'Infinity', '-Infinity')),
                   max(p.value) filter (where p.value not in ('NaN', 'Infinity', '-Infinity')),
                   count(*)::int
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) as b(series_id, lo, hi, width)
            join metric_point p on p.series_id = b.series_id and p.step between b.lo and b.hi
            group by b.series_id, (p.step - b.lo) / b.width
            order by b.series_id, 2
            """;

    private final JdbcTemplate jdbc;

    SeriesQuery(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param splits null for all splits; a null element selects the split-less series
     */
    @Transactional(readOnly = true)
    public List<Series> find(long[] runIds, List<String> names, List<String> splits, int maxPoints,
            long fromStep, long toStep) {
        String[] nameArray = names == null ? null : names.toArray(String[]::new);
        String[] splitArray = splits == null ? null
                : splits.stream().map(s -> s == null ? "" : s).toArray(String[]::new);
        List<Found> found = jdbc.query(SERIES, (rs, i) -> new Found(rs.getLong(1), rs.getLong(2), rs.getString(3),
                rs.getString(4), rs.getLong(5)), runIds, nameArray, nameArray, splitArray, splitArray);
        if (found.isEmpty()) {
            return List.of();
        }
        Map<Long, Range> ranges = new HashMap<>();
        jdbc.query(RANGES, rs -> {
            ranges.put(rs.getLong(1), new Range(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        }, found.stream().mapToLong(Found::id).toArray(), fromStep, toStep);

        List<Long> raw = new ArrayList<>();
        List<Long> bucketed = new ArrayList<>();
        List<Range> bucketRanges = new ArrayList<>();
        for (Found s : found) {
            Range r = ranges.get(s.id());
            if (r == null) {
                continue;
            }
            if (r.count() <= maxPoints) {
                raw.add(s.id());
            } else {
                bucketed.add(s.id());
                bucketRanges.add(r);
            }
        }
        Map<Long, List<SeriesPoint>> points = new HashMap<>();
        if (!raw.isEmpty()) {
            jdbc.query(RAW, rs -> {
                collect(points, rs);
            }, raw.stream().mapToLong(Long::longValue).toArray(), fromStep, toStep);
        }
        Map<Long, Long> widths = new HashMap<>();
        if (!bucketed.isEmpty()) {
            int n = bucketed.size();
            long[] ids = new long[n];
            long[] lo = new long[n];
            long[] hi = new long[n];
            long[] width = new long[n];
            for (int i = 0; i < n; i++) {
                Range r = bucketRanges.get(i);
                ids[i] = bucketed.get(i);
                lo[i] = r.first();
                hi[i] = r.last();
                // Ceiling division keeps the bucket count at or under maxPoints.
                width[i] = Math.max(1, (r.last() - r.first() + maxPoints) / maxPoints);
                widths.put(ids[i], width[i]);
            }
            jdbc.query(BUCKETS, rs -> {
                collect(points, rs);
            }, ids, lo, hi, width);
        }
        return found.stream().map(s -> new Series(s.runId(), s.name(), s.split(), s.pointCount(),
                widths.containsKey(s.id()),
                widths.containsKey(s.id()) ? "step-buckets:" + widths.get(s.id()) : "raw",
                points.getOrDefault(s.id(), List.of()))).toList();
    }

    private static void collect(Map<Long, List<SeriesPoint>> points, ResultSet rs) throws SQLException {
        points.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new SeriesPoint(rs.getLong(2),
                rs.getObject(3, OffsetDateTime.class), rs.getDouble(4), nullableDouble(rs, 5),
                nullableDouble(rs, 6), (Integer) rs.getObject(7)));
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    private record Found(long id, long runId, String name, String split, long pointCount) {
    }

    private record Range(long count, long first, long last) {
    }
}
