package dev.trackstack.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The benchmark suite. It starts its own PostgreSQL (the embedded binaries, with the product's durability
 * settings) and the packaged server against it, so that the API and the raw COPY ceiling hit the same
 * database in one run; then W2 (ingest, with W2-live on one and on two instances), W1 (runs table) and W3
 * (charts), and reports a table on stdout and a JSON file.
 *
 * <pre>java -cp … dev.trackstack.bench.Bench [--quick] --jar backend/target/trackstack.jar [--out report.json]</pre>
 */
public final class Bench {

    private record Size(int runs, int iterations, Duration warmUp, Duration ingest, Duration perStep,
            int subscribers, int chartRuns, long chartPoints) {
    }

    private static final Size QUICK = new Size(2_000, 20, Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(3), 20, 2, 20_000);
    private static final Size FULL = new Size(100_000, 200, Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofSeconds(20), 20, 10, 1_000_000);
    private static final int WRITERS = 8;

    public static void main(String[] args) throws Exception {
        Size size = List.of(args).contains("--quick") ? QUICK : FULL;
        Path jar = Path.of(option(args, "--jar", "backend/target/trackstack.jar"));
        Path out = Path.of(option(args, "--out", "bench-report.json"));
        Path work = Files.createTempDirectory("trackstack-bench-");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("size", size == QUICK ? "quick" : "full");
        report.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", System.getProperty("java.version"), "when", Instant.now().toString()));

        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg"))
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
            String jdbc = postgres.getJdbcUrl("postgres", "postgres");
            try (Server server = Server.start(jar, jdbc, work)) {
                Api api = new Api(server.url);
                String model = api.createModel("w2", "ingest");

                List<String> runs = runs(api, model, "batch");
                Map<String, Object> ingest;
                try (LiveProbe live = new LiveProbe(server.url, runs, size.subscribers())) {
                    live.awaitAllListening(warmUpBatch(api, runs.get(0)), Duration.ofSeconds(60));
                    ingest = Ingest.run(api, runs, 1000, size.warmUp(), size.ingest(), live);
                    report.put("W2_live_one_instance", withSubscribers(size, live.latencies()));
                }
                report.put("W2_ingest_batches", ingest);
                report.put("W2_ingest_per_step", Ingest.run(api, runs(api, model, "step"), 1, size.warmUp(),
                        size.perStep(), null));
                Map<String, Object> copy = Ingest.copyCeiling(jdbc, WRITERS, (long) ingest.get("points"));
                copy.put("api_share_of_ceiling", Stats.round(((Number) ingest.get("points_per_s")).doubleValue()
                        / ((Number) copy.get("points_per_s")).doubleValue()));
                report.put("W2_copy_ceiling", copy);

                try (Server other = Server.start(jar, jdbc, work)) {
                    List<String> clusterRuns = runs(api, model, "cluster");
                    try (LiveProbe live = new LiveProbe(other.url, clusterRuns, size.subscribers())) {
                        live.awaitAllListening(warmUpBatch(api, clusterRuns.get(0)), Duration.ofSeconds(60));
                        Ingest.run(api, clusterRuns, 1000, size.warmUp(), size.ingest().dividedBy(2), live);
                        report.put("W2_live_two_instances", withSubscribers(size, live.latencies()));
                    }
                }

                Reads.seedRuns(jdbc, size.runs());
                Map<String, Object> runsTable = new LinkedHashMap<>(Map.of("runs", size.runs()));
                runsTable.putAll(Reads.runsTable(api, size.iterations()));
                report.put("W1_runs_table_first_page_of_100", runsTable);

                List<String> chartRuns = Reads.seedSeries(jdbc, api, size.chartRuns(), size.chartPoints());
                Map<String, Object> charts = new LinkedHashMap<>(Map.of("series", size.chartRuns() * 5,
                        "points_per_series", size.chartPoints()));
                charts.putAll(Reads.charts(api, chartRuns, size.chartPoints(), size.iterations()));
                report.put("W3_charts", charts);

                report.put("storage", storage(jdbc, server));
            }
        }
        Files.writeString(out, Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        print("", report);
        System.out.println("report: " + out.toAbsolutePath());
        // WebSocket client threads linger; the report is written, so end here.
        System.exit(0);
    }

    private static List<String> runs(Api api, String model, String name) {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            runs.add(api.createRun(model, name + "-" + i));
        }
        return runs;
    }

    /** One point far beyond the writers' steps, for checking that every subscriber listens. */
    private static Runnable warmUpBatch(Api api, String run) {
        long[] step = {1L << 40};
        return () -> api.logMetrics(run, Ingest.batch(step[0]++, 1));
    }

    private static Map<String, Object> withSubscribers(Size size, long[] latencies) {
        Map<String, Object> result = new LinkedHashMap<>(Map.of("subscribers", size.subscribers(),
                "writers", WRITERS));
        result.put("log_to_visible", Stats.of(latencies));
        return result;
    }

    private static Map<String, Object> storage(String jdbc, Server server) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(jdbc);
                ResultSet rs = connection.createStatement().executeQuery("""
                        select count(*), pg_total_relation_size('metric_point'), pg_database_size(current_database())
                        from metric_point""")) {
            rs.next();
            result.put("points", rs.getLong(1));
            result.put("bytes_per_point", Stats.round(rs.getDouble(2) / Math.max(1, rs.getLong(1))));
            result.put("database_bytes", rs.getLong(3));
        }
        result.put("server_rss_bytes", server.rssBytes());
        return result;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static void print(String prefix, Map<String, Object> map) {
        map.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested) {
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) nested;
                print(prefix + key + ".", typed);
            } else {
                System.out.printf("%-70s %s%n", prefix + key, value);
            }
        });
    }
}
