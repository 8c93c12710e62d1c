package dev.trackstack.metric;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;

import dev.trackstack.storage.AggregateLevel;
import dev.trackstack.storage.Storage;
import dev.trackstack.system.EpochMicros;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads series for charts. A series with at most maxPoints points in the step range comes back raw. A longer
 * one is cut into at most maxPoints buckets of equal step width, each keeping its finite min and max (so that
 * spikes stay visible), its count, and its last point as the representative at a real step.
 *
 * <p>Buckets are merged from the coarsest stored level whose buckets are no wider than the asked ones (so at
 * most 8 rows per bucket are read), with finer levels and then raw points covering the range's ragged ends.
 * A stored bucket joins the asked bucket of its last step, so an answer's bucket is always exactly the points
 * after the previous bucket's representative, up to its own.
 */
@Service
public class SeriesQuery {

    private static final String SERIES = """
            select id, run_id, name, split, point_count from metric_series
            where run_id = any(?) and (?::text[] is null or name = any(?::text[]))
              and (?::text[] is null or coalesce(split, '') = any(?::text[]))
            order by run_id, name, split nulls first
            """;

    /** Per series: the points in the range, counted up to maxPoints + 1, and the first and last of them. */
    private static final String EXTENTS = """
            select s.id, c.n, f.step, f.ts, l.step, l.ts
            from unnest(?::bigint[]) as s(id)
            cross join lateral (select count(*) as n from (select from metric_point p
                                where p.series_id = s.id and p.step between ? and ? limit ?) x) c
            left join lateral (select step, ts from metric_point p where p.series_id = s.id
                               and p.step between ? and ? order by step limit 1) f on true
            left join lateral (select step, ts from metric_point p where p.series_id = s.id
                               and p.step between ? and ? order by step desc limit 1) l on true
            """;

    /*
     * Ranges of a series are read in LATERAL subqueries fenced with OFFSET 0: each is then an index scan per
     * range. Joined plainly, the planner misjudged how few rows the ranges select and read all of
     * metric_rollup (in parallel): 50 series × 1,000,000 points took 1 s instead of a few tens of ms.
     */
    private static final String RAW = """
            select p.series_id, p.step, (extract(epoch from p.ts) * 1000000)::bigint, p.value,
                   null::float8, null::float8, null::int
            from unnest(?::bigint[]) as r(series_id)
            cross join lateral (select * from metric_point p where p.series_id = r.series_id
                                and p.step between ? and ? offset 0) p
            order by p.series_id, p.step
            """;

    /** Raw points as parts, of the step ranges {@code %s}: rows of (series_id, lo, hi). */
    private static final String RAW_PARTS = """
            select p.series_id, p.step as last_step, p.ts as last_ts, p.value as last_value,
                   case when p.value not in ('NaN', 'Infinity', '-Infinity') then p.value end as min_value,
                   case when p.value not in ('NaN', 'Infinity', '-Infinity') then p.value end as max_value,
                   1 as n
            from %s as c(series_id, lo, hi)
            cross join lateral (select * from metric_point p where p.series_id = c.series_id
                                and p.step between c.lo and c.hi offset 0) p
            """;

    private static final String RANGES = "unnest(?::bigint[], ?::bigint[], ?::bigint[])";

    /**
     * Time buckets of a continuous aggregate ({@code %s}) wholly inside each series' step range, and raw points
     * ({@code %s}) of the range's ends that those leave: steps are assumed to grow with time, as training logs them,
     * so the buckets cover one run of steps.
     */
    private static final String AGGREGATE_PARTS = """
            with ranges as (
                select * from unnest(?::bigint[], ?::bigint[], ?::bigint[]) as c(series_id, lo, hi)
            ), aggregated as (
                select g.series_id, g.last_step, g.last_ts, g.last_value, g.min_value, g.max_value, g.n, g.first_step
                from ranges c
                cross join lateral (select * from %s g where g.series_id = c.series_id
                                    and g.first_step >= c.lo and g.last_step <= c.hi offset 0) g
            ), ends as (
                select c.series_id, e.lo, e.hi
                from ranges c
                left join (select series_id, min(first_step) as lo, max(last_step) as hi from aggregated
                           group by series_id) a on a.series_id = c.series_id
                cross join lateral (values (c.lo, coalesce(a.lo - 1, c.hi)), (coalesce(a.hi + 1, c.hi + 1), c.hi))
                    as e(lo, hi)
                where e.lo <= e.hi
            )
            select series_id, last_step, last_ts, last_value, min_value, max_value, n from aggregated
            union all
            %s
            """;

    private static final String ROLLUP_PARTS = """
            select r.series_id, r.last_step, r.last_ts, r.last_value, r.min_value, r.max_value, r.n
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) as c(series_id, level, lo, hi)
            cross join lateral (select * from metric_rollup r where r.series_id = c.series_id and r.level = c.level
                                and r.bucket between c.lo and c.hi offset 0) r
            """;

    /** The parts {@code %s}, with their last times in epoch microseconds. */
    private static final String PARTS = """
            select series_id, last_step, (extract(epoch from last_ts) * 1000000)::bigint, last_value,
                   min_value, max_value, n
            from (%s) parts
            """;

    private final JdbcTemplate jdbc;
    private final boolean rollups;

    SeriesQuery(JdbcTemplate jdbc, Storage storage) {
        this.jdbc = jdbc;
        this.rollups = storage.mode().rollupsAtIngest();
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
        List<Long> raw = new ArrayList<>();
        Map<Long, Bucketing> bucketed = new HashMap<>();
        jdbc.query(EXTENTS, rs -> {
            long count = rs.getLong(2);
            if (count > maxPoints) {
                Extent extent = new Extent(rs.getLong(3), rs.getObject(4, OffsetDateTime.class), rs.getLong(5),
                        rs.getObject(6, OffsetDateTime.class));
                bucketed.put(rs.getLong(1), rollups ? rollupBucketing(extent, maxPoints)
                        : aggregateBucketing(extent, maxPoints));
            } else if (count > 0) {
                raw.add(rs.getLong(1));
            }
        }, found.stream().mapToLong(Found::id).toArray(), fromStep, toStep, maxPoints + 1, fromStep, toStep,
                fromStep, toStep);

        Map<Long, List<SeriesPoint>> points = new HashMap<>();
        if (!raw.isEmpty()) {
            jdbc.query(RAW, rs -> {
                collect(points, rs);
            }, raw.stream().mapToLong(Long::longValue).toArray(), fromStep, toStep);
        }
        if (!bucketed.isEmpty()) {
            readBuckets(bucketed, points);
        }
        return found.stream().map(s -> {
            Bucketing b = bucketed.get(s.id());
            return new Series(s.runId(), s.name(), s.split(), s.pointCount(), b != null,
                    b == null ? "raw" : b.resolution(), points.getOrDefault(s.id(), List.of()));
        }).toList();
    }

    /** Buckets of equal width from the first to the last step in the range, at most maxPoints of them. */
    private static long width(Extent extent, int maxPoints) {
        return (extent.last() - extent.first()) / maxPoints + 1;
    }

    private static Bucketing rollupBucketing(Extent extent, int maxPoints) {
        long width = width(extent, maxPoints);
        int level = -1;
        while (level + 1 < Rollups.LEVELS.length && Rollups.LEVELS[level + 1] <= width) {
            level++;
        }
        List<Part> parts = new ArrayList<>();
        cover(extent.first(), extent.last(), level, parts);
        String source = level < 0 ? "raw" : "rollup-" + Rollups.LEVELS[level];
        return new Bucketing(extent.first(), width, source + ":" + width, null, parts);
    }

    /**
     * Time buckets hold as many steps as the series logs in that time, so the level is picked from the range's
     * steps per second: the coarsest whose buckets hold no more steps than an asked bucket.
     */
    private static Bucketing aggregateBucketing(Extent extent, int maxPoints) {
        long width = width(extent, maxPoints);
        double seconds = Duration.between(extent.firstTime(), extent.lastTime()).toNanos() / 1e9;
        double stepsPerSecond = (extent.last() - extent.first()) / Math.max(seconds, 1e-3);
        AggregateLevel level = null;
        for (AggregateLevel candidate : AggregateLevel.values()) {
            if (stepsPerSecond * candidate.seconds() <= width) {
                level = candidate;
            }
        }
        String source = level == null ? "raw" : "aggregate-" + level.label();
        return new Bucketing(extent.first(), width, source + ":" + width, level,
                List.of(new Part(0, extent.first(), extent.last())));
    }

    /**
     * Covers the steps [a, b] with the buckets of the level at {@code index} that lie wholly inside, and the
     * ragged ends with finer levels, down to raw points (index -1).
     */
    private static void cover(long a, long b, int index, List<Part> parts) {
        if (index < 0) {
            parts.add(new Part(0, a, b));
            return;
        }
        long level = Rollups.LEVELS[index];
        if (b - a < level - 1) {  // fewer steps than a bucket (b - a cannot overflow: steps are >= 0)
            cover(a, b, index - 1, parts);
            return;
        }
        long firstBucket = -Math.floorDiv(-a, level) * level;
        long lastBucket = Math.floorDiv(b - level + 1, level) * level;
        if (firstBucket > lastBucket) {
            cover(a, b, index - 1, parts);
            return;
        }
        if (a < firstBucket) {
            cover(a, firstBucket - 1, index - 1, parts);
        }
        parts.add(new Part(level, firstBucket, lastBucket));
        if (lastBucket + level - 1 < b) {
            cover(lastBucket + level, b, index - 1, parts);
        }
    }

    private void readBuckets(Map<Long, Bucketing> bucketed, Map<Long, List<SeriesPoint>> points) {
        if (rollups) {
            readBuckets(bucketed.entrySet(), RAW_PARTS.formatted(RANGES) + " union all " + ROLLUP_PARTS, points);
            return;
        }
        // One query per aggregate level in use, since each level is a view of its own.
        Map<AggregateLevel, List<Map.Entry<Long, Bucketing>>> byLevel = new HashMap<>();
        bucketed.entrySet().forEach(e -> byLevel.computeIfAbsent(e.getValue().level(), k -> new ArrayList<>()).add(e));
        byLevel.forEach((level, series) -> readBuckets(series, level == null ? RAW_PARTS.formatted(RANGES)
                : AGGREGATE_PARTS.formatted(level.view(), RAW_PARTS.formatted("ends")), points));
    }

    /**
     * Reads the parts of the series (the SQL {@code parts} takes the raw ranges, for an aggregate the whole range,
     * whose ends it reads raw; then the rollup ones, where rollups are kept) and merges them into the asked buckets.
     * The merge is one pass in Java over each series' parts by step: in SQL, the ordered aggregates that pick each
     * bucket's last point took longer than reading the parts.
     */
    private void readBuckets(Collection<Map.Entry<Long, Bucketing>> series, String parts,
            Map<Long, List<SeriesPoint>> points) {
        Columns rawParts = new Columns(3);
        Columns rollupParts = new Columns(4);
        for (Map.Entry<Long, Bucketing> e : series) {
            for (Part part : e.getValue().parts()) {
                if (part.level() == 0) {
                    rawParts.add(e.getKey(), part.lo(), part.hi());
                } else {
                    rollupParts.add(e.getKey(), part.level(), part.lo(), part.hi());
                }
            }
        }
        List<Object> arguments = new ArrayList<>(rawParts.arrays());
        if (rollups) {
            arguments.addAll(rollupParts.arrays());
        }
        Map<Long, List<SeriesPoint>> read = new HashMap<>();
        jdbc.query(PARTS.formatted(parts), rs -> {
            collect(read, rs);
        }, arguments.toArray());
        for (Map.Entry<Long, Bucketing> e : series) {
            Bucketing b = e.getValue();
            points.put(e.getKey(), merge(read.getOrDefault(e.getKey(), new ArrayList<>()), b.origin(), b.width()));
        }
    }

    /** A row of (series_id, step, epoch micros, value, min, max, count) into its series' points. */
    private static void collect(Map<Long, List<SeriesPoint>> points, ResultSet rs) throws SQLException {
        points.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new SeriesPoint(rs.getLong(2),
                EpochMicros.toTime(rs.getLong(3)), rs.getDouble(4), nullableDouble(rs, 5), nullableDouble(rs, 6),
                nullableInt(rs, 7)));
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    /** Counts come as int (raw points, rollups) or bigint (continuous aggregates). */
    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    /**
     * Merges parts into the buckets of {@code width} steps from {@code origin} that their last steps fall in: each
     * bucket is represented by its last point, with the least min, the greatest max and the sum of the counts.
     */
    static List<SeriesPoint> merge(List<SeriesPoint> parts, long origin, long width) {
        parts.sort(Comparator.comparingLong(SeriesPoint::step));
        List<SeriesPoint> buckets = new ArrayList<>();
        int i = 0;
        while (i < parts.size()) {
            long bucket = (parts.get(i).step() - origin) / width;
            Double min = null;
            Double max = null;
            int count = 0;
            SeriesPoint last;
            do {
                last = parts.get(i++);
                min = either(min, last.min(), Math::min);
                max = either(max, last.max(), Math::max);
                count += last.count();
            } while (i < parts.size() && (parts.get(i).step() - origin) / width == bucket);
            buckets.add(new SeriesPoint(last.step(), last.time(), last.value(), min, max, count));
        }
        return buckets;
    }

    /** Of two bounds that may be missing (a part of only NaN points has none), the one {@code pick} picks. */
    private static Double either(Double a, Double b, DoubleBinaryOperator pick) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return pick.applyAsDouble(a, b);
    }

    /** Rows of a level (0 for raw points) whose bucket (or step) lies in [lo, hi]. */
    private record Part(long level, long lo, long hi) {
    }

    /** The first and last point of a series in the asked range. */
    private record Extent(long first, OffsetDateTime firstTime, long last, OffsetDateTime lastTime) {
    }

    /** How a series is bucketed: from which level (null: rollups or raw) and its parts. */
    private record Bucketing(long origin, long width, String resolution, AggregateLevel level, List<Part> parts) {
    }

    /** Parallel arrays, to send rows to PostgreSQL as unnest(array, …). */
    private static final class Columns {

        private final int width;
        private final List<long[]> rows = new ArrayList<>();

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

    private record Found(long id, long runId, String name, String split, long pointCount) {
    }
}
