package dev.trackstack.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipFile;

import tools.jackson.databind.JsonNode;

/**
 * The server's downsampled levels as serverInfo names them: step rollups that ingest keeps (built here over
 * seeded points with the product's own statement, read from the jar), or TimescaleDB continuous aggregates.
 */
final class Levels {

    private static final String POINTS = """
            insert into metric_point (series_id, step, ts, value)
            select * from unnest(?::bigint[], ?::bigint[], ?::timestamptz[], ?::float8[]) on conflict do nothing
            """;

    private static final String COARSEN = resource("/rollup-coarsen.sql");

    final String storage;
    private final List<String> names;
    private final String rollupUpsert;

    private Levels(String storage, List<String> names, String rollupUpsert) {
        this.storage = storage;
        this.names = names;
        this.rollupUpsert = rollupUpsert;
    }

    static Levels of(Api api, Path jar) throws Exception {
        JsonNode info = api.call("{ serverInfo { storage levels } }", Map.of()).at("/serverInfo");
        List<String> names = new ArrayList<>();
        info.get("levels").forEach(level -> names.add(level.asString()));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            String upsert = new String(zip.getInputStream(zip.getEntry("BOOT-INF/classes/db/storage/rollup-upsert.sql"))
                    .readAllBytes(), StandardCharsets.UTF_8);
            return new Levels(info.get("storage").asString(), names, upsert);
        }
    }

    boolean rollups() {
        return names.get(0).startsWith("rollup-");
    }

    /**
     * Folds the points matching {@code where} (on {@code p}) into the rollups, where ingest keeps them: the finest
     * level with the server's own statement, each coarser one from the level below it (rollup-coarsen.sql).
     */
    void build(Connection connection, String where) throws Exception {
        if (!rollups()) {
            return;
        }
        List<Integer> widths = names.stream().map(level -> Integer.valueOf(level.substring("rollup-".length())))
                .sorted().toList();
        try (PreparedStatement upsert = connection.prepareStatement(rollupUpsert.formatted(
                "metric_point p cross join unnest(?::int[]) as l(level) where " + where));
                Statement sql = connection.createStatement()) {
            upsert.setArray(1, connection.createArrayOf("int", new Integer[] {widths.get(0)}));
            upsert.execute();
            for (int i = 1; i < widths.size(); i++) {
                sql.execute(COARSEN.replace("{fine}", widths.get(i - 1).toString())
                        .replace("{coarse}", widths.get(i).toString()).replace("{where}", where));
            }
        }
    }

    /**
     * Materializes every continuous aggregate, finest first (policies would, over minutes), then runs each refresh
     * policy once: their first runs after a bulk load took up to a minute of a core, and landed in the timed reads.
     */
    void refreshAggregates(Connection connection) throws Exception {
        if (rollups()) {
            return;
        }
        try (Statement sql = connection.createStatement()) {
            for (String level : names) {
                sql.execute("call refresh_continuous_aggregate('metric_agg_" + level.substring("aggregate-".length())
                        + "', null, null)");
            }
            List<Integer> policies = new ArrayList<>();
            try (ResultSet jobs = sql.executeQuery("select job_id from timescaledb_information.jobs "
                    + "where proc_name = 'policy_refresh_continuous_aggregate' order by job_id")) {
                while (jobs.next()) {
                    policies.add(jobs.getInt(1));
                }
            }
            for (int job : policies) {
                sql.execute("call run_job(" + job + ")");
            }
        }
    }

    /**
     * What keeping the rollups current costs ingest: {@code writers} loaders insert batches of 1,000 new points
     * with the points-only statement, then with the rollup upsert folded in as ingest does, each for
     * {@code duration}; answers points/s of both.
     */
    Map<String, Object> ingestCost(String jdbcUrl, int writers, Duration duration) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        if (!rollups()) {
            result.put("note", "continuous aggregates are refreshed by policies, off the ingest path");
            return result;
        }
        long without = load(jdbcUrl, writers, duration, POINTS, false);
        String withRollups = "with inserted as (" + POINTS + " returning series_id, step, ts, value) "
                + rollupUpsert.formatted("inserted p cross join unnest(?::int[]) as l(level)");
        long with = load(jdbcUrl, writers, duration, withRollups, true);
        result.put("writers", writers);
        result.put("points_per_s_without_levels", without);
        result.put("points_per_s_with_levels", with);
        result.put("share_kept", Stats.round((double) with / without));
        return result;
    }

    private long load(String jdbcUrl, int writers, Duration duration, String sql, boolean rollups) throws Exception {
        AtomicLong points = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long series = -1 - w;  // ids no real series has; removed below
            done.add(pool.submit(() -> {
                try (Connection connection = DriverManager.getConnection(jdbcUrl);
                        PreparedStatement insert = connection.prepareStatement(sql)) {
                    Object[] ts = new Object[1000];
                    Object[] values = new Object[1000];
                    Object[] ids = new Object[1000];
                    Arrays.fill(ids, series);
                    Arrays.fill(ts, OffsetDateTime.parse("2026-01-01T00:00:00Z"));
                    for (long from = 0; System.nanoTime() < end; from += 1000) {
                        Object[] steps = new Object[1000];
                        for (int i = 0; i < 1000; i++) {
                            steps[i] = from + i;
                            values[i] = Math.random();
                        }
                        insert.setArray(1, connection.createArrayOf("bigint", ids));
                        insert.setArray(2, connection.createArrayOf("bigint", steps));
                        insert.setArray(3, connection.createArrayOf("timestamptz", ts));
                        insert.setArray(4, connection.createArrayOf("float8", values));
                        if (rollups) {
                            insert.setArray(5, widths(connection));
                        }
                        insert.execute();
                        points.addAndGet(1000);
                    }
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        try (Connection connection = DriverManager.getConnection(jdbcUrl); Statement clean = connection.createStatement()) {
            clean.execute("delete from metric_point where series_id < 0");
            clean.execute("delete from metric_rollup where series_id < 0");
        }
        return Math.round(points.get() / seconds);
    }

    private static String resource(String name) {
        try (InputStream in = Levels.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Array widths(Connection connection) throws Exception {
        return connection.createArrayOf("int", names.stream()
                .map(level -> Integer.valueOf(level.substring("rollup-".length()))).toArray());
    }
}
