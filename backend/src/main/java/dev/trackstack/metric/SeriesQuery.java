package dev.trackstack.metric;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongConsumer;

import dev.trackstack.storage.AggregateLevel;
import dev.trackstack.storage.Storage;
import dev.trackstack.system.EpochMicros;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

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
            select p.series_id, p.step, %s, p.value
            from unnest(?::bigint[]) as r(series_id)
            cross join lateral (select * from metric_point p where p.series_id = r.series_id
                                and p.step between ? and ? offset 0) p
            order by p.series_id, p.step
            """.formatted(EpochMicros.sql("p.ts"));

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
     * Materialized buckets of a continuous aggregate level (its hypertable, the last {@code %s}) wholly inside each
     * series' step range (the ranges, the middle one), with their first steps. Steps are assumed to grow with time,
     * as training logs them, so the buckets cover one run of steps; the range's ends that they leave, including what
     * is not materialized yet, are read raw. The counts of coarser levels are sums, numeric in SQL: bigint reads
     * much faster.
     */
    private static final String AGGREGATED = """
            select g.series_id, g.last_step, %s, g.last_value, g.min_value, g.max_value, g.n::bigint, g.first_step
            from %s as c(series_id, lo, hi)
            cross join lateral (select * from %s g where g.series_id = c.series_id
                                and g.first_step >= c.lo and g.last_step <= c.hi offset 0) g
            """;

    private static final String ROLLUP_PARTS = """
            select r.series_id, r.last_step, r.last_ts, r.last_value, r.min_value, r.max_value, r.n
            from unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) as c(series_id, level, lo, hi)
            cross join lateral (select * from metric_rollup r where r.series_id = c.series_id and r.level = c.level
                                and r.bucket between c.lo and c.hi offset 0) r
            """;

    /** The parts (the second {@code %s}), with their last times in epoch microseconds. */
    private static final String PARTS = """
            select series_id, last_step, %s, last_value, min_value, max_value, n
            from (%s) parts
            """;

    /** The fewest series worth a read of their own. */
    private static final int SERIES_PER_PART = 10;

    private final JdbcTemplate jdbc;
    private final Storage storage;
    private final Executor executor;

    SeriesQuery(JdbcTemplate jdbc, Storage storage, @Qualifier("applicationTaskExecutor") Executor executor) {
        this.jdbc = jdbc;
        this.executor = executor;
        this.storage = storage;
    }

    /**
     * Looks up the series that a read selects and reserves the points their answer may hold. This is cheap: the
     * points are read later, by {@link #read}, once every series field of the request has reserved.
     *
     * @param splits  null for all splits; a null element selects the split-less series
     * @param reserve called with how many points the answer may hold (each series' stored points, at most maxPoints,
     *                at least 1); it throws to refuse the read
     */
    public Selection select(long[] runIds, List<String> names, List<String> splits, int maxPoints,
            long fromStep, long toStep, LongConsumer reserve) {
        String[] nameArray = names == null ? null : names.toArray(String[]::new);
        String[] splitArray = splits == null ? null
                : splits.stream().map(s -> s == null ? "" : s).toArray(String[]::new);
        List<Found> found = jdbc.query(SERIES, (rs, i) -> new Found(rs.getLong(1), rs.getLong(2), rs.getString(3),
                rs.getString(4), rs.getLong(5)), runIds, nameArray, nameArray, splitArray, splitArray);
        reserve.accept(found.stream().mapToLong(s -> Math.max(1, Math.min(s.pointCount(), maxPoints))).sum());
        return new Selection(found, maxPoints, fromStep, toStep);
    }

    /** The points of the selected series. */
    public List<Series> read(Selection selection) {
        List<Found> found = selection.found();
        int maxPoints = selection.maxPoints();
        long fromStep = selection.fromStep();
        long toStep = selection.toStep();
        // Many series are read in parts on connections of their own, so that PostgreSQL's work and ours for them
        // use every core: it halves a 50-series chart read on two. Each statement reads committed points anyway.
        int parts = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), found.size() / SERIES_PER_PART));
        List<CompletableFuture<List<Series>>> reads = new ArrayList<>();
        for (int i = 1; i < parts; i++) {
            List<Found> part = found.subList(found.size() * i / parts, found.size() * (i + 1) / parts);
            reads.add(CompletableFuture.supplyAsync(() -> read(part, maxPoints, fromStep, toStep), executor));
        }
        List<Series> series = new ArrayList<>(read(found.subList(0, found.size() / parts), maxPoints, fromStep,
                toStep));
        try {
            reads.forEach(read -> series.addAll(read.join()));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        return series;
    }

    private List<Series> read(List<Found> found, int maxPoints, long fromStep, long toStep) {
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
                bucketed.put(rs.getLong(1), storage.mode().rollupsAtIngest() ? rollupBucketing(extent, maxPoints)
                        : aggregateBucketing(extent, maxPoints));
            } else if (count > 0) {
                raw.add(rs.getLong(1));
            }
        }, found.stream().mapToLong(Found::id).toArray(), fromStep, toStep, maxPoints + 1, fromStep, toStep,
                fromStep, toStep);

        Map<Long, List<SeriesPoint>> points = new HashMap<>();
        if (!raw.isEmpty()) {
            jdbc.query(RAW, rs -> {
                points.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new SeriesPoint(rs.getLong(2),
                        EpochMicros.toTime(rs.getLong(3)), rs.getDouble(4), null, null, null));
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
        return new Bucketing(extent.first(), extent.last(), width, source + ":" + width, null, parts);
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
        return new Bucketing(extent.first(), extent.last(), width, source + ":" + width, level, List.of());
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

    /**
     * Reads the parts of the bucketed series (stored buckets, and raw points where no stored bucket fits) and
     * merges them into the asked buckets. The merge is one pass in Java over each series' parts by step: in SQL,
     * the ordered aggregates that pick each bucket's last point took longer than reading the parts.
     */
    private void readBuckets(Map<Long, Bucketing> bucketed, Map<Long, List<SeriesPoint>> points) {
        Map<Long, List<Row>> read = new HashMap<>();
        if (storage.mode().rollupsAtIngest()) {
            Columns rawParts = new Columns(3);
            Columns rollupParts = new Columns(4);
            bucketed.forEach((id, b) -> b.parts().forEach(part -> {
                if (part.level() == 0) {
                    rawParts.add(id, part.lo(), part.hi());
                } else {
                    rollupParts.add(id, part.level(), part.lo(), part.hi());
                }
            }));
            List<long[]> arguments = new ArrayList<>(rawParts.arrays());
            arguments.addAll(rollupParts.arrays());
            readParts(RAW_PARTS.formatted(RANGES) + " union all " + ROLLUP_PARTS, arguments, read);
        } else {
            // One query per aggregate level in use, since each level is a table of its own.
            Map<AggregateLevel, Columns> ranges = new HashMap<>();
            bucketed.forEach((id, b) -> ranges.computeIfAbsent(b.level(), k -> new Columns(3))
                    .add(id, b.origin(), b.last()));
            ranges.forEach((level, range) -> {
                if (level == null) {
                    readParts(RAW_PARTS.formatted(RANGES), range.arrays(), read);
                } else {
                    readAggregated(level, range, read);
                }
            });
        }
        bucketed.forEach((id, b) -> points.put(id, merge(read.getOrDefault(id, new ArrayList<>()), b.origin(),
                b.width())));
    }

    private void readParts(String parts, List<long[]> arguments, Map<Long, List<Row>> read) {
        jdbc.query(PARTS.formatted(EpochMicros.sql("last_ts"), parts), rs -> {
            collect(read, rs);
        }, arguments.toArray());
    }

    /** A level's materialized buckets in the ranges (series_id, first, last), then raw points for the rest. */
    private void readAggregated(AggregateLevel level, Columns ranges, Map<Long, List<Row>> read) {
        Map<Long, long[]> covered = new HashMap<>();  // per series, the first and last step of the buckets read
        String buckets = AGGREGATED.formatted(EpochMicros.sql("g.last_ts"), RANGES, storage.materialization(level));
        jdbc.query(buckets, rs -> {
            collect(read, rs);
            long[] steps = covered.computeIfAbsent(rs.getLong(1), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            steps[0] = Math.min(steps[0], rs.getLong(8));
            steps[1] = Math.max(steps[1], rs.getLong(2));
        }, ranges.arrays().toArray());
        Columns ends = new Columns(3);
        for (long[] range : ranges.rows) {
            long[] steps = covered.get(range[0]);
            if (steps == null) {
                ends.add(range);
                continue;
            }
            if (range[1] < steps[0]) {
                ends.add(range[0], range[1], steps[0] - 1);
            }
            if (steps[1] < range[2]) {
                ends.add(range[0], steps[1] + 1, range[2]);
            }
        }
        if (!ends.rows.isEmpty()) {
            readParts(RAW_PARTS.formatted(RANGES), ends.arrays(), read);
        }
    }

    /** A row of (series_id, step, epoch micros, value, min, max, count) into its series' rows. */
    private static void collect(Map<Long, List<Row>> rows, ResultSet rs) throws SQLException {
        rows.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Row(rs.getLong(2), rs.getLong(3),
                rs.getDouble(4), bound(rs, 5), bound(rs, 6), rs.getInt(7)));
    }

    private static double bound(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? Double.NaN : value;
    }

    /**
     * Merges parts into the buckets of {@code width} steps from {@code origin} that their last steps fall in: each
     * bucket is represented by its last point, with the least min, the greatest max and the sum of the counts.
     */
    static List<SeriesPoint> merge(List<Row> parts, long origin, long width) {
        parts.sort(Comparator.comparingLong(Row::step));
        List<SeriesPoint> buckets = new ArrayList<>();
        int i = 0;
        while (i < parts.size()) {
            long bucket = (parts.get(i).step() - origin) / width;
            double min = Double.NaN;
            double max = Double.NaN;
            int count = 0;
            Row last;
            do {
                last = parts.get(i++);
                min = either(min, last.min(), Math::min);
                max = either(max, last.max(), Math::max);
                count += last.count();
            } while (i < parts.size() && (parts.get(i).step() - origin) / width == bucket);
            buckets.add(new SeriesPoint(last.step(), EpochMicros.toTime(last.micros()), last.value(),
                    Double.isNaN(min) ? null : min, Double.isNaN(max) ? null : max, count));
        }
        return buckets;
    }

    /** Of two bounds that may be missing (NaN: a part of only NaN points has none), the one {@code pick} picks. */
    private static double either(double a, double b, DoubleBinaryOperator pick) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.isNaN(a) ? b : a;
        }
        return pick.applyAsDouble(a, b);
    }

    /**
     * A part of a bucket as read: a stored bucket or a raw point (its own min and max, count 1). Its time is in
     * epoch microseconds and missing bounds are NaN: primitives, since a chart read holds tens of thousands.
     */
    record Row(long step, long micros, double value, double min, double max, int count) {
    }

    /** Rows of a level (0 for raw points) whose bucket (or step) lies in [lo, hi]. */
    private record Part(long level, long lo, long hi) {
    }

    /** The first and last point of a series in the asked range. */
    private record Extent(long first, OffsetDateTime firstTime, long last, OffsetDateTime lastTime) {
    }

    /**
     * How the steps [origin, last] of a series are bucketed: from which aggregate level (null: rollups or raw), or
     * from which rollup parts.
     */
    private record Bucketing(long origin, long last, long width, String resolution, AggregateLevel level,
            List<Part> parts) {
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

    /** The series a read selected (looked up, not read yet), and the points and steps it asks of them. */
    public record Selection(List<Found> found, int maxPoints, long fromStep, long toStep) {
    }

    record Found(long id, long runId, String name, String split, long pointCount) {
    }
}
