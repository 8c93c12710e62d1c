package dev.trackstack.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import dev.trackstack.ApiTest;
import dev.trackstack.storage.PointStore;
import dev.trackstack.storage.Rollups;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The downsampled answer is exact whatever level serves it: each bucket holds exactly the points after the
 * previous bucket's representative, up to its own, with their count, finite min and max, and last value.
 */
class DownsamplingTests extends ApiTest {

    @Autowired
    protected PointStore storage;

    /**
     * 30,000 points with gaps in the steps, NaN and infinite values and spikes, logged in batches; at 10 steps a
     * second from {@code start} when given, else at the time they arrive.
     */
    protected NavigableMap<Long, Double> logRoughSeries(String run, long seed, Instant start) {
        Random random = new Random(seed);
        NavigableMap<Long, Double> logged = new TreeMap<>();
        long step = random.nextInt(100);
        while (logged.size() < 30_000) {
            double value = switch (random.nextInt(1000)) {
                case 0 -> Double.NaN;
                case 1 -> Double.POSITIVE_INFINITY;
                case 2 -> 1e6 * random.nextGaussian();
                default -> random.nextGaussian();
            };
            logged.put(step, value);
            step += random.nextInt(20) == 0 ? 2 + random.nextInt(300) : 1;
        }
        List<Map.Entry<Long, Double>> entries = new ArrayList<>(logged.entrySet());
        for (int from = 0; from < entries.size(); from += 5000) {
            logMetrics(run, entries.subList(from, Math.min(entries.size(), from + 5000)).stream()
                    .map(e -> timed(point("loss", null, e.getKey(), json(e.getValue())), start, e.getKey()))
                    .toList(), null)
                    .path("logMetrics.accepted").entity(Integer.class).isEqualTo(5000);
        }
        return logged;
    }

    @Test
    void shouldAnswerExactBucketsFromEveryLevelAndRange() {
        String run = createRun();
        List<String> sources = assertExactBucketsForManyRanges(run, logRoughSeries(run, 7, null));
        assertThat(sources).contains("raw");
        if (storage.mode().rollupsAtIngest()) {
            assertThat(sources).contains("rollup-8", "rollup-64", "rollup-512");
        }
    }

    /**
     * Read at once, as a chart does while training logs or an import runs: a series logged just now and one
     * imported with times a year old. Where ingest keeps the rollups, they serve it at once.
     */
    @Test
    void shouldAnswerExactBucketsRightAfterLoggingEvenWithYearOldTimes() {
        // The rough series spans about 7 hours: the first ends about now.
        for (Instant start : List.of(Instant.now().minus(Duration.ofHours(7)),
                Instant.now().minus(Duration.ofDays(365)))) {
            String run = createRun();
            List<String> sources = assertExactBucketsForManyRanges(run, logRoughSeries(run, 19, start));
            if (storage.mode().rollupsAtIngest()) {
                assertThat(sources).as("from " + start).contains("rollup-8", "rollup-64", "rollup-512");
            }
        }
    }

    /** Whole, partial and random ranges at various maxPoints; answers the sources that served them. */
    protected List<String> assertExactBucketsForManyRanges(String run, NavigableMap<Long, Double> expected) {
        NavigableMap<Long, Double> logged = new TreeMap<>(expected);
        long first = logged.firstKey();
        long last = logged.lastKey();
        Random random = new Random(11);
        List<long[]> cases = new ArrayList<>(List.of(
                new long[] {3000, 0, Long.MAX_VALUE}, new long[] {1000, 0, Long.MAX_VALUE},
                new long[] {100, 0, Long.MAX_VALUE}, new long[] {10, 0, Long.MAX_VALUE},
                new long[] {1, 0, Long.MAX_VALUE}, new long[] {3000, first, first + 20_000},
                new long[] {777, first + 13, last - 1001}));
        for (int i = 0; i < 12; i++) {
            long from = first + (long) (random.nextDouble() * (last - first));
            long to = from + (long) (random.nextDouble() * (last - from));
            cases.add(new long[] {1 + random.nextInt(2000), from, to});
        }
        List<String> sources = new ArrayList<>();
        for (long[] c : cases) {
            sources.add(assertExactBuckets(run, logged.subMap(c[1], true, c[2], true), (int) c[0], c[1], c[2]));
        }
        return sources;
    }

    /** Answers the source that served the buckets ("raw" without buckets). */
    protected String assertExactBuckets(String run, NavigableMap<Long, Double> expected, int maxPoints, long from,
            long to) {
        var series = graphQl.documentName("series").variable("runIds", List.of(run)).variable("maxPoints", maxPoints)
                .variable("fromStep", from).variable("toStep", to).execute().path("series[0]");
        String resolution = series.path("series[0].resolution").entity(String.class).get();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> points = series.path("series[0].points").entityList(Map.class).get()
                .stream().map(p -> (Map<String, Object>) p).toList();
        String context = "maxPoints=" + maxPoints + " range=[" + from + ", " + to + "] " + resolution;
        if (expected.size() <= maxPoints) {
            assertThat(resolution).as(context).isEqualTo("raw");
            assertThat(points.stream().map(p -> ((Number) p.get("step")).longValue()).toList()).as(context)
                    .containsExactlyElementsOf(expected.keySet());
            return "raw";
        }
        assertThat(points).as(context).hasSizeLessThanOrEqualTo(maxPoints).isNotEmpty();
        NavigableMap<Long, Double> all = new TreeMap<>(expected);
        long previous = Long.MIN_VALUE;
        for (Map<String, Object> bucket : points) {
            long step = ((Number) bucket.get("step")).longValue();
            NavigableMap<Long, Double> inside = all.subMap(previous, false, step, true);
            String at = context + " bucket ending at " + step;
            assertThat(inside).as(at).isNotEmpty();
            assertThat(inside.lastKey()).as(at).isEqualTo(step);
            assertThat(((Number) bucket.get("count")).intValue()).as(at).isEqualTo(inside.size());
            assertThat(value(bucket.get("value"))).as(at).isEqualTo(inside.lastEntry().getValue());
            List<Double> finite = inside.values().stream().filter(Double::isFinite).toList();
            assertThat(bucket.get("min") == null ? null : value(bucket.get("min"))).as(at)
                    .isEqualTo(finite.stream().min(Double::compare).orElse(null));
            assertThat(bucket.get("max") == null ? null : value(bucket.get("max"))).as(at)
                    .isEqualTo(finite.stream().max(Double::compare).orElse(null));
            previous = step;
        }
        assertThat(previous).as(context).isEqualTo(expected.lastKey());
        return resolution.substring(0, resolution.indexOf(':'));
    }

    @Test
    void shouldKeepRollupsEqualToTheirPointsThroughDuplicatesRewindAndDeletion() {
        assumeThat(storage.mode().rollupsAtIngest()).as("rollups are kept at ingest in this storage mode").isTrue();
        String run = createRun();
        logRoughSeries(run, 3, null);
        // Overlapping and repeated steps without a batch id: only new steps may count.
        logMetrics(run, List.of(point("loss", null, 5, 1.0), point("loss", null, 5, 2.0),
                point("loss", null, 999_999, 3.0), point("acc", null, 1, 0.5),
                point("acc", null, Long.MAX_VALUE, 0.7)), null);
        graphQl.documentName("rewindRun").variable("toStep", 20000).variable("runId", run)
                .execute();
        logMetrics(run, List.of(point("loss", null, 20_001, 4.0), point("loss", null, 20_100, "NaN")), null);
        assertThat(staleRollups(run)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from metric_rollup where series_id in "
                + "(select id from metric_series where run_id = ?)", Long.class, Long.parseLong(run))).isPositive();

        List<Long> series = jdbc.queryForList("select id from metric_series where run_id = ?", Long.class,
                Long.parseLong(run));
        graphQl.documentName("deleteRuns").variable("ids", List.of(run)).execute();
        assertThat(jdbc.queryForObject("select count(*) from metric_rollup where series_id = any(?)", Long.class,
                (Object) series.toArray(Long[]::new))).isZero();
    }

    @Test
    void shouldTakeAStepLoggedAgainAtAnotherTimeAsADuplicate() {
        String run = createRun();
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        logMetrics(run, List.of(timed(point("loss", null, 7, 1.0), start, 0)), null);
        logMetrics(run, List.of(timed(point("loss", null, 7, 2.0), start, 99_999),
                timed(point("loss", null, 8, 3.0), start, 99_999), timed(point("loss", null, 8, 4.0), start, 1)), null)
                .path("logMetrics.accepted").entity(Integer.class).isEqualTo(1)
                .path("logMetrics.duplicates").entity(Integer.class).isEqualTo(2);
        graphQl.documentName("series").variable("runIds", List.of(run)).execute()
                .path("series[0].points[*].value").entityList(Double.class).containsExactly(1.0, 3.0);
    }

    /** Rollup rows of the run that differ from the same levels computed afresh from its points, both ways. */
    private long staleRollups(String run) {
        String fresh = Rollups.UPSERT.substring(Rollups.UPSERT.indexOf("select"), Rollups.UPSERT.indexOf("on conflict"))
                .formatted("metric_point p cross join unnest(?::int[]) as l(level) "
                        + "where p.series_id in (select id from metric_series where run_id = ?)");
        String stored = "select series_id, level, bucket, n, first_step, last_step, last_ts, last_value, min_value, "
                + "max_value from metric_rollup where series_id in (select id from metric_series where run_id = ?)";
        long id = Long.parseLong(run);
        return jdbc.queryForObject("select count(*) from ((" + stored + " except " + fresh + ") union all ("
                + fresh + " except " + stored + ")) d", Long.class, id, Rollups.LEVELS, id, Rollups.LEVELS, id, id);
    }

    /** The point at {@code start} + step × 100 ms, when a start is given. */
    protected static Map<String, Object> timed(Map<String, Object> point, Instant start, long step) {
        if (start != null) {
            point.put("time", start.plusMillis(100 * step).toString());
        }
        return point;
    }

    protected static Object json(double value) {
        return Double.isFinite(value) ? value : (Object) Double.toString(value);
    }

    private static double value(Object json) {
        return json instanceof Number n ? n.doubleValue() : Double.parseDouble((String) json);
    }
}
