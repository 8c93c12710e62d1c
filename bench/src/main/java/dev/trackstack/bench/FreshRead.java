package dev.trackstack.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FRESH_READ: a series read right after it was logged, as a chart is while training runs or an import ends. One
 * series of {@code points} points at 100 steps a second is logged through logMetrics in batches of 10,000, with
 * times that end now and then, into another run, with times a year old (an importer's); 5 s after the last batch
 * returned, {@code series} at maxPoints=1000 is timed {@code iterations} times, with no untimed calls in between.
 */
final class FreshRead {

    private static final String SERIES = """
            query($r: [ID!]!) {
              series(runIds: $r, maxPoints: 1000) { resolution steps times values mins maxes counts }
            }""";
    private static final int BATCH = 10_000;
    private static final Duration AFTER = Duration.ofSeconds(5);

    private FreshRead() {
    }

    static Map<String, Object> measure(Api api, long points, int iterations) throws InterruptedException {
        String model = api.createModel("fresh", "reads");
        // The server's chart-read paths compiled first, as on a server that has served charts before.
        String warmUp = api.createRun(model, "warm-up");
        log(api, warmUp, Math.min(points, 100_000), Instant.now());
        for (int i = 0; i < iterations / 2; i++) {
            api.call(SERIES, Map.of("r", List.of(warmUp)));
        }
        Map<String, Object> result = new LinkedHashMap<>(Map.of("points", points));
        result.put("logged_now", loggedThenRead(api, api.createRun(model, "now"), points, Instant.now(),
                iterations));
        result.put("imported_year_old", loggedThenRead(api, api.createRun(model, "year-old"), points,
                Instant.now().minus(Duration.ofDays(365)), iterations));
        return result;
    }

    private static Map<String, Object> loggedThenRead(Api api, String run, long points, Instant end, int iterations)
            throws InterruptedException {
        long start = System.nanoTime();
        log(api, run, points, end);
        long logged = System.nanoTime();
        Thread.sleep(AFTER.toMillis());
        long[] nanos = new long[iterations];
        String resolution = null;
        for (int i = 0; i < iterations; i++) {
            long before = System.nanoTime();
            byte[] answer = api.send(SERIES, Map.of("r", List.of(run)));
            nanos[i] = System.nanoTime() - before;
            resolution = Api.data(answer).at("/series/0/resolution").asString();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("logging_points_per_s", Math.round(points / ((logged - start) / 1e9)));
        result.put("series_maxPoints_1000_from_5s_after", Stats.of(nanos));
        result.put("resolution", resolution);
        return result;
    }

    /** Steps 0 to points - 1 at 100 a second, the last at {@code end}. */
    private static void log(Api api, String run, long points, Instant end) {
        Instant first = end.minusMillis(10 * (points - 1));
        for (long from = 0; from < points; from += BATCH) {
            List<Map<String, Object>> batch = new ArrayList<>(BATCH);
            for (long step = from; step < Math.min(points, from + BATCH); step++) {
                double value = Math.exp(-step / (points / 5.0)) + Math.random() / 10;
                batch.add(Map.of("name", "loss", "step", step, "value", value,
                        "time", first.plusMillis(10 * step).toString()));
            }
            api.logMetrics(run, batch);
        }
    }
}
