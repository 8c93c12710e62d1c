package dev.trackstack.metric;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import dev.trackstack.storage.BucketPlan;
import dev.trackstack.storage.BucketRow;
import dev.trackstack.storage.PointStore;
import dev.trackstack.system.EpochMicros;
import dev.trackstack.system.Histograms;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Reads series for charts. A series with at most maxPoints points in the step range comes back raw. A longer
 * one is cut into at most maxPoints buckets of equal step width, each keeping its finite min and max (so that
 * spikes stay visible), its count, and its last point as the representative at a real step.
 *
 * <p>The point store plans the buckets ({@link BucketPlan}) and reads their parts: stored buckets of a coarser
 * level, and raw points where none fits. They are merged here, a stored bucket into the asked bucket of its last
 * step, so an answer's bucket is always exactly the points after the previous bucket's representative, up to its
 * own.
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

    /** The fewest series worth a read of their own. */
    private static final int SERIES_PER_PART = 10;

    private final JdbcTemplate jdbc;
    private final PointStore store;
    private final Executor executor;
    private final Meter.MeterProvider<Timer> reads;

    SeriesQuery(JdbcTemplate jdbc, PointStore store, @Qualifier("applicationTaskExecutor") Executor executor,
            MeterRegistry registry) {
        this.jdbc = jdbc;
        this.executor = executor;
        this.store = store;
        // Tagged with the level served (see served()), a dozen values at most: never a run or a series.
        this.reads = Timer.builder("trackstack.series.read")
                .description("Time to read the points of one series field (one or more series) from the database")
                .serviceLevelObjectives(Histograms.millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000))
                .withRegistry(registry);
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

    /** The points of the selected series, timed by the resolution they were served at. */
    public List<Series> read(Selection selection) {
        long start = System.nanoTime();
        List<Series> series = readInParts(selection);
        reads.withTag("resolution", served(series)).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return series;
    }

    /**
     * The level that served every series of a read ("raw", "rollup-512", "aggregate-10s": a resolution without its
     * bucket width), "mixed" when the series were served at different levels, "none" when there were no series.
     */
    static String served(List<Series> series) {
        Set<String> levels = series.stream().map(s -> s.resolution().split(":", 2)[0]).collect(Collectors.toSet());
        return levels.isEmpty() ? "none" : levels.size() == 1 ? levels.iterator().next() : "mixed";
    }

    private List<Series> readInParts(Selection selection) {
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
        Map<Long, BucketPlan> bucketed = new HashMap<>();
        jdbc.query(EXTENTS, rs -> {
            long count = rs.getLong(2);
            if (count > maxPoints) {
                PointStore.Extent extent = new PointStore.Extent(rs.getLong(3), rs.getObject(4, OffsetDateTime.class), rs.getLong(5),
                        rs.getObject(6, OffsetDateTime.class));
                bucketed.put(rs.getLong(1), store.plan(extent, maxPoints));
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
            Map<Long, List<BucketRow>> parts = store.readParts(bucketed);
            bucketed.forEach((id, plan) -> points.put(id, merge(parts.getOrDefault(id, new ArrayList<>()),
                    plan.origin(), plan.width())));
        }
        return found.stream().map(s -> {
            BucketPlan b = bucketed.get(s.id());
            return new Series(s.runId(), s.name(), s.split(), s.pointCount(), b != null,
                    b == null ? "raw" : b.resolution(), points.getOrDefault(s.id(), List.of()));
        }).toList();
    }

    /**
     * Merges parts into the buckets of {@code width} steps from {@code origin} that their last steps fall in: each
     * bucket is represented by its last point, with the least min, the greatest max and the sum of the counts. One
     * pass over each series' parts by step: in SQL, the ordered aggregates that pick each bucket's last point took
     * longer than reading the parts.
     */
    static List<SeriesPoint> merge(List<BucketRow> parts, long origin, long width) {
        parts.sort(Comparator.comparingLong(BucketRow::step));
        List<SeriesPoint> buckets = new ArrayList<>();
        int i = 0;
        while (i < parts.size()) {
            long bucket = (parts.get(i).step() - origin) / width;
            double min = Double.NaN;
            double max = Double.NaN;
            int count = 0;
            BucketRow last;
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

    /** The series a read selected (looked up, not read yet), and the points and steps it asks of them. */
    public record Selection(List<Found> found, int maxPoints, long fromStep, long toStep) {
    }

    record Found(long id, long runId, String name, String split, long pointCount) {
    }
}
