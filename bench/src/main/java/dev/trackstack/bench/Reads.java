package dev.trackstack.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * W1 (runs table) and W3 (charts): the data is seeded straight into the tables with SQL, in the shape ingest
 * leaves it (summaries included), because these workloads measure reads; then the API is timed.
 */
final class Reads {

    private static final String RUNS = """
            query($p: String, $f: RunFilter, $o: [RunOrder!]) {
              runs(project: $p, filter: $f, orderBy: $o, first: 100) {
                totalCount
                edges { node { id name status createdAt hyperparameters summaries { name split last } } }
              }
            }""";

    private static final String SERIES = """
            query($r: [ID!]!, $n: [String!], $from: Long, $to: Long) {
              series(runIds: $r, names: $n, maxPoints: 1000, fromStep: $from, toStep: $to) {
                name downsampled resolution steps times values mins maxes counts
              }
            }""";

    private Reads() {
    }

    /** 10 projects × 10 models, {@code runs} runs with 10 hyperparameters and 5 summary metrics each. */
    static void seedRuns(String jdbcUrl, int runs) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl); Statement sql = connection.createStatement()) {
            sql.execute("insert into project (name, created_at) select 'w1-project-' || i, now() "
                    + "from generate_series(0, 9) i");
            sql.execute("insert into model (project_id, name, created_at) select p.id, 'model-' || m, now() "
                    + "from project p, generate_series(0, 9) m where p.name like 'w1-project-%'");
            sql.execute("""
                    insert into run (model_id, name, status, hyperparameters, tags, created_at)
                    select m.id, 'run-' || m.id || '-' || r, (array['RUNNING', 'COMPLETED', 'FAILED'])[1 + r %% 3],
                           jsonb_build_object('lr', random() / 100, 'batch_size', (array[16, 32, 64, 128])[1 + r %% 4],
                               'dropout', random() / 2, 'layers', 1 + r %% 12,
                               'optimizer', (array['adam', 'sgd', 'adamw'])[1 + r %% 3], 'warmup', r %% 1000,
                               'weight_decay', random() / 1000, 'seed', r, 'epochs', 10 + r %% 90,
                               'momentum', random()),
                           array['tag-' || (r %% 10)], now() - r * interval '1 second'
                    from model m join project p on p.id = m.project_id, generate_series(0, %d) r
                    where p.name like 'w1-project-%%'
                    """.formatted(runs / 100 - 1));
            sql.execute("""
                    insert into metric_series (run_id, name, split, point_count, last_step, last_value,
                                               min_step, min_value, max_step, max_value)
                    select r.id, n, 'validation', 100, 99, random(), 10, random() / 10, 20, 0.9 + random() / 10
                    from run r join model m on m.id = r.model_id join project p on p.id = m.project_id,
                         unnest(array['loss', 'accuracy', 'f1', 'precision', 'recall']) n
                    where p.name like 'w1-project-%'
                    """);
            sql.execute("analyze");
        }
    }

    static Map<String, Object> runsTable(Api api, int iterations) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("unfiltered_by_created", time(iterations, () -> api.send(RUNS, Map.of("p", "w1-project-3"))));
        result.put("filtered_on_hyperparameter", time(iterations, () -> api.send(RUNS, Map.of("p", "w1-project-3",
                "f", Map.of("params", List.of(Map.of("key", "optimizer", "op", "EQ", "value", "adam")))))));
        result.put("sorted_by_summary_metric", time(iterations, () -> api.send(RUNS, Map.of("p", "w1-project-3",
                "o", List.of(Map.of("field", "METRIC", "metric", Map.of("name", "loss", "split", "validation")))))));
        return result;
    }

    /**
     * {@code runs} runs × 5 series × {@code points} points, 100 steps a second, and the server's downsampled
     * levels over them (rollups built with the product's own statement, or continuous aggregates refreshed);
     * answers the run ids.
     */
    static List<String> seedSeries(String jdbcUrl, Api api, Levels levels, int runs, long points) throws Exception {
        String model = api.createModel("w3", "charts");
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            runIds.add(api.createRun(model, "chart-" + i));
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl); Statement sql = connection.createStatement()) {
            for (String run : runIds) {
                sql.execute("insert into metric_series (run_id, name, split, point_count, last_step) "
                        + "select " + run + ", 'metric-' || n, 'train', " + points + ", " + (points - 1)
                        + " from generate_series(0, 4) n");
                // Noisy decay with rare spikes, as a loss curve looks.
                sql.execute("""
                        insert into metric_point (series_id, step, ts, value)
                        select s.id, g, timestamptz '2026-01-01' + g * interval '10 milliseconds',
                               case when random() < 0.0001 then 10 else exp(-g / %d.0) + random() / 10 end
                        from metric_series s, generate_series(0, %d) g
                        where s.run_id = %s
                        """.formatted(points / 5, points - 1, run));
                levels.build(connection, "p.series_id in (select id from metric_series where run_id = " + run + ")");
            }
            levels.refreshAggregates(connection);
            sql.execute("analyze");
        }
        return runIds;
    }

    static Map<String, Object> charts(Api api, String jdbcUrl, List<String> runIds, long points, int iterations)
            throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Map<String, Object> all = time(iterations, () -> api.send(SERIES, Map.of("r", runIds)));
        result.put("all_series_maxPoints_1000", all);
        result.put("zoomed_10_percent_one_series", time(iterations, () -> api.send(SERIES, Map.of(
                "r", List.of(runIds.get(0)), "n", List.of("metric-0"),
                "from", points * 45 / 100, "to", points * 55 / 100))));
        result.put("resolution", api.call(SERIES, Map.of("r", List.of(runIds.get(0)), "n", List.of("metric-0")))
                .at("/series/0/resolution").asString());
        // The same 1,000 buckets per series computed from the raw points at query time, for comparison.
        try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
            PreparedStatement raw = connection.prepareStatement("""
                    select p.series_id, p.step / ?, min(p.value), max(p.value), count(*), max(p.step)
                    from metric_point p join metric_series s on s.id = p.series_id
                    where s.run_id = any(?) group by 1, 2
                    """);
            raw.setLong(1, (points + 999) / 1000);
            raw.setArray(2, connection.createArrayOf("bigint", runIds.stream().map(Long::valueOf).toArray()));
            Map<String, Object> baseline = time(Math.max(1, iterations / 100), () -> {
                try (ResultSet rs = raw.executeQuery()) {
                    while (rs.next()) {
                        rs.getLong(1);
                    }
                    return "";
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, rows -> { });
            result.put("all_series_downsampled_from_raw_at_query_time", baseline);
            result.put("speedup_p95", Stats.round(((Number) baseline.get("p95_ms")).doubleValue()
                    / ((Number) all.get("p95_ms")).doubleValue()));
        }
        return result;
    }

    /** API reads, each timed until the whole response is in; then it is parsed and checked, untimed. */
    static Map<String, Object> time(int iterations, Supplier<byte[]> body) {
        return time(iterations, body, Api::data);
    }

    /**
     * Untimed calls to warm up (none for single runs), then {@code iterations} timed ones. The server has just
     * started: its JIT compiles a chart read's paths over the first few tens of calls (p95 121 ms over calls 20 to
     * 120 of a W3 chart read, 89 ms after them), and a server serving charts all day has long done that.
     */
    private static <T> Map<String, Object> time(int iterations, Supplier<T> call, Consumer<T> check) {
        for (int i = 0; i < (iterations < 3 ? 0 : Math.max(3, iterations / 2)); i++) {
            check.accept(call.get());
        }
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            T answer = call.get();
            nanos[i] = System.nanoTime() - start;
            check.accept(answer);
        }
        return Stats.of(nanos);
    }
}
