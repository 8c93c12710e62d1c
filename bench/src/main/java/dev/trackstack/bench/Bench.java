package dev.trackstack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The benchmark suite. It starts its own PostgreSQL (the embedded binaries, with the product's durability
 * settings) and the packaged server against it, so that the API and the raw COPY ceiling hit the same
 * database in one run; then W2 (ingest, with W2-live on one and on two instances, and the server JVM's RSS through
 * it), W1 (runs table), W3 (charts), FRESH_READ (a 1,000,000-point series read
 * 5 s after it was logged), SPANS (OTLP span ingest, with the span table's COPY ceiling), TRACE_LIST
 * (the trace list of a large project), EVAL_INGEST / EVAL_COMPARE (eval results ingest and the comparison of two eval runs) and
 * ARTIFACTS (a 1 GiB file uploaded and downloaded by curl and by the Python client beside {@code cp}, with the
 * bench's own server), EXPORT (10,000,000
 * points exported to Parquet over HTTP, with the server's heap), TENSORBOARD_IMPORT (10 runs × 1,000,000 scalars in
 * event files the bench writes, imported by the bench's own server through importRuns, beside W2's rate), MEDIA
 * (256×256 PNGs of 20 runs × 100 steps through logMedia, the step slider's mediaAt and images, a histogram panel of
 * 1,000 steps), then
 * the soak (ingest at half the W2 capacity with live subscribers, watching the server's
 * memory and latency: 30 minutes with --soak, 20 s at the quick size), and reports a table on stdout and a JSON
 * file.
 *
 * <pre>java -cp … dev.trackstack.bench.Bench [--quick] [--soak] [--soak-duration 2m] --jar backend/target/trackstack.jar
 *     [--out report.json] [--db-url jdbc:postgresql://…] [--url http://…] [--python-client clients/python]</pre>
 * With {@code --db-url} the server runs against that database (TimescaleDB, say) instead of the bench's own;
 * with {@code --url} too, the bench measures that running server (the second instance still comes from the jar,
 * and the soak, which watches the server's memory, needs the bench's own server).
 */
public final class Bench {

    private record Size(int runs, int iterations, Duration warmUp, Duration ingest, Duration perStep,
            int subscribers, int chartRuns, long chartPoints, int firstStarts, int laterStarts, int traces,
            int evalItems, long artifactBytes, long exportPoints, int tensorboardScalars, int mediaSteps) {
    }

    private static final Size QUICK = new Size(2_000, 20, Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(3), 20, 2, 20_000, 1, 2, 2_000, 1_000, 64L << 20, 200_000, 20_000, 10);
    private static final Size FULL = new Size(100_000, 200, Duration.ofSeconds(10), Duration.ofSeconds(60),
            Duration.ofSeconds(20), 20, 10, 1_000_000, 3, 5, 100_000, 10_000, 1L << 30, 10_000_000, 1_000_000, 100);
    private static final int WRITERS = 8;
    private static final int TENSORBOARD_RUNS = 10;
    private static final int MEDIA_RUNS = 20;
    /** What the serving JVM's RSS should stay under through W2 (issue 28). */
    private static final long RSS_TARGET = 400L << 20;
    private static final Duration QUICK_SOAK = Duration.ofSeconds(20);
    private static final Duration SOAK = Duration.ofMinutes(30);

    public static void main(String[] args) throws Exception {
        Size size = List.of(args).contains("--quick") ? QUICK : FULL;
        // The quick size always ends with a short soak, so that it never rots; --soak asks for a real one.
        Duration soak = List.of(args).contains("--soak") ? SOAK : size == QUICK ? QUICK_SOAK : null;
        String soakDuration = option(args, "--soak-duration", null);
        if (soakDuration != null) {
            soak = Duration.parse("PT" + soakDuration.toUpperCase());
        }
        Path jar = Path.of(option(args, "--jar", "backend/target/trackstack.jar"));
        Path out = Path.of(option(args, "--out", "bench-report.json"));
        Path pythonClient = Path.of(option(args, "--python-client", "clients/python"));
        String databaseUrl = option(args, "--db-url", null);
        String serverUrl = option(args, "--url", null);
        // All by default; storage is always measured, the soak needs W2 (it logs at half its rate).
        Set<String> workloads = Set.of(option(args, "--workloads", "STARTUP,W1,W2,W3,FRESH_READ,SPANS,TRACE_LIST,EVAL_INGEST,"
                + "EVAL_COMPARE,ARTIFACTS,EXPORT,TENSORBOARD_IMPORT,MEDIA").toUpperCase().split(","));
        if (serverUrl != null && databaseUrl == null) {
            throw new IllegalArgumentException("--url needs --db-url: the bench seeds W1 and W3 and measures the COPY "
                    + "ceiling in the server's database");
        }
        Path work = Files.createTempDirectory("trackstack-bench-");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("size", size == QUICK ? "quick" : "full");
        report.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                "java", System.getProperty("java.version"), "when", Instant.now().toString()));

        // First, alone on the machine: the jar as a user runs it, on its embedded database.
        if (workloads.contains("STARTUP")) {
            report.put("startup_to_first_answer", Startup.measure(jar, work, size.firstStarts(), size.laterStarts()));
        }

        // Without --db-url: its own PostgreSQL (the embedded binaries, with the product's durability settings).
        try (EmbeddedPostgres postgres = databaseUrl != null ? null : EmbeddedPostgres.builder()
                .setDataDirectory(work.resolve("pg")).setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on").start()) {
            String jdbc = databaseUrl != null ? databaseUrl : postgres.getJdbcUrl("postgres", "postgres");
            try (Server server = serverUrl != null ? null : Server.start(jar, jdbc, work)) {
                String url = serverUrl != null ? serverUrl : server.url;
                Api api = new Api(url);
                Levels levels = Levels.of(api, jar);
                report.put("storage_mode", levels.storage);
                Map<String, Object> ingest = workloads.contains("W2")
                        ? ingest(api, server, url, jar, jdbc, work, levels, size, report) : null;

                if (workloads.contains("W1")) {
                    Reads.seedRuns(jdbc, size.runs());
                    Map<String, Object> runsTable = new LinkedHashMap<>(Map.of("runs", size.runs()));
                    runsTable.putAll(Reads.runsTable(api, size.iterations()));
                    report.put("W1_runs_table_first_page_of_100", runsTable);
                }

                if (workloads.contains("W3")) {
                    List<String> chartRuns = Reads.seedSeries(jdbc, api, levels, size.chartRuns(), size.chartPoints());
                    Map<String, Object> charts = new LinkedHashMap<>(Map.of("series", size.chartRuns() * 5,
                            "points_per_series", size.chartPoints()));
                    charts.putAll(Reads.charts(api, jdbc, chartRuns, size.chartPoints(), size.iterations()));
                    report.put("W3_charts", charts);
                }

                if (workloads.contains("FRESH_READ")) {
                    report.put("FRESH_READ_one_series_read_5s_after_logging", FreshRead.measure(api,
                            size.chartPoints(), size.iterations()));
                }

                if (workloads.contains("SPANS")) {
                    Map<String, Object> spans = Traces.ingest(url, WRITERS, size.warmUp(), size.ingest());
                    report.put("SPANS_ingest", spans);
                    report.put("SPANS_copy_ceiling", withShare(spans,
                            Traces.copyCeiling(jdbc, WRITERS, (long) spans.get("spans")), "spans_per_s"));
                }

                if (workloads.contains("TRACE_LIST")) {
                    report.put("TRACE_LIST", Traces.traceList(url, jdbc, api, WRITERS, size.traces(),
                            size.iterations()));
                }
                if (workloads.contains("EVAL_INGEST") || workloads.contains("EVAL_COMPARE")) {
                    Map<String, Object> evals = Evals.ingest(api, size.evalItems());
                    @SuppressWarnings("unchecked")
                    List<String> evalRuns = (List<String>) evals.remove("runs");
                    if (workloads.contains("EVAL_INGEST")) {
                        report.put("EVAL_INGEST", evals);
                    }
                    if (workloads.contains("EVAL_COMPARE")) {
                        report.put("EVAL_COMPARE", Evals.compare(api, evalRuns, size.iterations()));
                    }
                }
                if (workloads.contains("ARTIFACTS") && server != null) {
                    report.put("ARTIFACTS_transfer_beside_cp", Artifacts.measure(api, server, work, size.artifactBytes(),
                            pythonClient));
                }
                if (workloads.contains("EXPORT") && server != null) {
                    report.put("EXPORT_points_to_parquet", Export.measure(api, server, work, size.exportPoints()));
                }
                if (workloads.contains("TENSORBOARD_IMPORT") && server != null) {
                    Map<String, Object> imported = TensorBoardImport.measure(api, work, TENSORBOARD_RUNS,
                            size.tensorboardScalars());
                    if (ingest != null) {
                        imported.put("bulk_ingest_points_per_s", ingest.get("points_per_s"));
                        imported.put("share_of_bulk_ingest", Stats.round(((Number) imported.get("points_per_s"))
                                .doubleValue() / ((Number) ingest.get("points_per_s")).doubleValue()));
                    }
                    report.put("TENSORBOARD_IMPORT", imported);
                }
                if (workloads.contains("MEDIA")) {
                    report.put("MEDIA", Media.measure(api, url, MEDIA_RUNS, size.mediaSteps(), size.iterations()));
                }
                Map<String, Object> storage = storage(jdbc, levels);
                storage.put("server_rss_bytes", server == null ? "not measured (external server)" : server.rssBytes());
                report.put("storage", storage);

                if (soak != null && server != null && ingest != null) {
                    double capacity = ((Number) ingest.get("points_per_s")).doubleValue();
                    List<String> soakRuns = runs(api, api.createModel("w2", "ingest"), "soak");
                    try (LiveProbe live = new LiveProbe(server.url, soakRuns, size.subscribers())) {
                        live.awaitAllListening(warmUpBatch(api, soakRuns.get(0)), Duration.ofSeconds(60));
                        Map<String, Object> result = new LinkedHashMap<>(Map.of("subscribers", size.subscribers()));
                        result.putAll(Soak.run(api, server, soakRuns, live, capacity / 2, soak));
                        report.put("soak_at_half_W2_capacity", result);
                    }
                }
            }
        }
        removeTree(work); // gigabytes of database and files: repeated runs must not fill the disk
        Files.writeString(out, Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        print("", report);
        System.out.println("report: " + out.toAbsolutePath());
        // WebSocket client threads linger; the report is written, so end here.
        System.exit(0);
    }

    static void removeTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * W2 and W2-live, with the server's memory through both (when it is the bench's own server): answers the batch
     * ingest figures, whose rate the soak takes half of.
     */
    private static Map<String, Object> ingest(Api api, Server server, String url, Path jar, String jdbc, Path work,
            Levels levels, Size size, Map<String, Object> report) throws Exception {
        String model = api.createModel("w2", "ingest");

        long idleRss = server == null ? 0 : server.rssBytes();
        MemorySamples memory = server == null ? null : new MemorySamples(server, Duration.ofSeconds(1));
        List<String> runs = runs(api, model, "batch");
        Map<String, Object> ingest;
        try (LiveProbe live = new LiveProbe(url, runs, size.subscribers())) {
            live.awaitAllListening(warmUpBatch(api, runs.get(0)), Duration.ofSeconds(60));
            ingest = Ingest.run(api, runs, 1000, size.warmUp(), size.ingest(), live);
            report.put("W2_live_one_instance", withSubscribers(size, live));
        }
        report.put("W2_ingest_batches", ingest);
        report.put("W2_ingest_per_step", Ingest.run(api, runs(api, model, "step"), 1, size.warmUp(),
                size.perStep(), null));
        if (server != null) {
            report.put("W2_server_rss", serverRss(server, idleRss, memory.stop(), size.subscribers()));
        }
        Map<String, Object> columns = Ingest.run(api, runs(api, model, "columns"), 1000, true, size.warmUp(),
                size.ingest(), null);
        report.put("W2_ingest_columns", columns);
        Map<String, Object> wideColumns = Ingest.run(api, runs(api, model, "columns-10k"), 10_000, true,
                size.warmUp(), size.ingest(), null);
        report.put("W2_ingest_columns_10k", wideColumns);
        Map<String, Object> ceiling = Ingest.copyCeiling(jdbc, WRITERS, (long) ingest.get("points"));
        report.put("W2_copy_ceiling", withShare(ingest, ceiling, "points_per_s"));
        ceiling.put("columns_share_of_ceiling", share(columns, ceiling, "points_per_s"));
        ceiling.put("columns_10k_share_of_ceiling", share(wideColumns, ceiling, "points_per_s"));
        report.put("W2_level_upkeep", levels.ingestCost(jdbc, WRITERS, size.perStep()));

        try (Server other = Server.start(jar, jdbc, work)) {
            List<String> clusterRuns = runs(api, model, "cluster");
            try (LiveProbe live = new LiveProbe(other.url, clusterRuns, size.subscribers())) {
                live.awaitAllListening(warmUpBatch(api, clusterRuns.get(0)), Duration.ofSeconds(60));
                Ingest.run(api, clusterRuns, 1000, size.warmUp(), size.ingest().dividedBy(2), live);
                report.put("W2_live_two_instances", withSubscribers(size, live));
            }
        }
        return ingest;
    }

    /**
     * The serving JVM's RSS before W2 (idle, started and warmed by the workloads before), its peak through W2's
     * batches with the live subscribers and its per-step calls, and after them, against the target.
     */
    private static Map<String, Object> serverRss(Server server, long idle, List<Map<String, Object>> samples,
            int subscribers) throws Exception {
        long after = server.rssBytes();
        long peak = Math.max(after, (long) MemorySamples.firstLastMax(samples, "rss_bytes").get("max"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("subscribers", subscribers);
        result.put("target_bytes", RSS_TARGET);
        result.put("idle_bytes", idle);
        result.put("peak_bytes", peak);
        result.put("after_bytes", after);
        result.put("peak_share_of_target", Stats.round((double) peak / RSS_TARGET));
        result.put("after_share_of_target", Stats.round((double) after / RSS_TARGET));
        result.put("heap_bytes", MemorySamples.firstLastMax(samples, "heap_bytes"));
        result.put("launcher_bytes", server.launcherRssBytes());
        result.put("samples", samples);
        return result;
    }

    /** The COPY ceiling's figures with the share of them the API reached. */
    private static Map<String, Object> withShare(Map<String, Object> api, Map<String, Object> copy, String rate) {
        copy.put("api_share_of_ceiling", share(api, copy, rate));
        return copy;
    }

    private static double share(Map<String, Object> api, Map<String, Object> copy, String rate) {
        return Stats.round(((Number) api.get(rate)).doubleValue() / ((Number) copy.get(rate)).doubleValue());
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

    private static Map<String, Object> withSubscribers(Size size, LiveProbe live) throws InterruptedException {
        live.awaitDelivered(Duration.ofSeconds(60));
        Map<String, Object> result = new LinkedHashMap<>(Map.of("subscribers", size.subscribers(),
                "writers", WRITERS));
        result.put("log_to_visible", Stats.of(live.latencies()));
        result.put("batches_marked_gap", live.gaps());
        return result;
    }

    /**
     * Bytes per stored point, of the points alone and with their downsampled levels; on TimescaleDB with its
     * community features after compressing every chunk, as the compression policy does to older ones.
     */
    private static Map<String, Object> storage(String jdbc, Levels levels) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        boolean aggregates = levels.storage.equals("TIMESCALEDB");
        String points = levels.storage.equals("POSTGRESQL") ? "pg_total_relation_size('metric_point')"
                : "hypertable_size('metric_point')";
        String levelBytes = aggregates ? """
                (select sum(hypertable_size(format('%I.%I', materialization_hypertable_schema,
                        materialization_hypertable_name)::regclass)) from timescaledb_information.continuous_aggregates)
                """ : "pg_total_relation_size('metric_rollup')";
        try (Connection connection = DriverManager.getConnection(jdbc); Statement sql = connection.createStatement()) {
            if (aggregates) {
                sql.execute("select compress_chunk(c, if_not_compressed => true) from show_chunks('metric_point') c");
            }
            try (ResultSet rs = sql.executeQuery("select count(*), " + points + ", " + levelBytes
                    + ", pg_database_size(current_database()) from metric_point")) {
                rs.next();
                result.put("points", rs.getLong(1));
                result.put("compressed", aggregates);
                result.put("bytes_per_point", Stats.round(rs.getDouble(2) / Math.max(1, rs.getLong(1))));
                result.put("bytes_per_point_with_levels", Stats.round((rs.getDouble(2) + rs.getDouble(3))
                        / Math.max(1, rs.getLong(1))));
                result.put("database_bytes", rs.getLong(4));
            }
        }
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
            } else if (value instanceof List<?> list && list.size() > 10) {
                System.out.printf("%-70s %s%n", prefix + key, list.size() + " entries, see the report");
            } else {
                System.out.printf("%-70s %s%n", prefix + key, value);
            }
        });
    }
}
