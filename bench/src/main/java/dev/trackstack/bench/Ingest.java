package dev.trackstack.bench;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.postgresql.PGConnection;

/** W2: writers logging through the API, and the same volume written straight into the table with COPY. */
final class Ingest {

    private Ingest() {
    }

    /**
     * Each writer logs batches of {@code batchSize} points of its own run for the duration (after a warm-up
     * whose samples are dropped). Answers points/s and calls/s of the calls answered within the measured window
     * (so a slow call that straddles the window's start still counts), and the latency of calls sent in it.
     */
    static Map<String, Object> run(Api api, List<String> runIds, int batchSize, Duration warmUp, Duration measured,
            LiveProbe live) throws Exception {
        AtomicLong points = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measured.toNanos();
        ExecutorService writers = Executors.newFixedThreadPool(runIds.size());
        List<Future<?>> done = new ArrayList<>();
        for (String runId : runIds) {
            done.add(writers.submit(() -> {
                long step = 0;
                while (System.nanoTime() < end) {
                    List<Map<String, Object>> batch = batch(step, batchSize);
                    long sent = System.nanoTime();
                    api.logMetrics(runId, batch);
                    long returned = System.nanoTime();
                    if (sent >= measureFrom) {
                        latencies.add(returned - sent);
                        if (live != null) {
                            live.returned(runId, step, returned);
                        }
                    }
                    if (returned >= measureFrom && returned < end) {
                        calls.incrementAndGet();
                        points.addAndGet(batchSize);
                    }
                    step += batchSize;
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        writers.shutdown();
        double seconds = measured.toNanos() / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("writers", runIds.size());
        result.put("points_per_call", batchSize);
        result.put("points", points.get());
        result.put("points_per_s", Math.round(points.get() / seconds));
        result.put("calls_per_s", Math.round(calls.get() / seconds));
        result.put("call_latency", Stats.of(latencies.stream().mapToLong(Long::longValue).toArray()));
        return result;
    }

    static List<Map<String, Object>> batch(long firstStep, int size) {
        List<Map<String, Object>> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(Map.of("name", "loss", "split", "train", "step", firstStep + i,
                    "value", ThreadLocalRandom.current().nextDouble()));
        }
        return batch;
    }

    /**
     * The ceiling: {@code total} rows in the points table's own shape, written by as many loaders as there
     * were writers, with COPY in transactions of 100,000 rows; then removed again.
     */
    static Map<String, Object> copyCeiling(String jdbcUrl, int loaders, long total) throws Exception {
        long perLoader = total / loaders;
        ExecutorService pool = Executors.newFixedThreadPool(loaders);
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int l = 0; l < loaders; l++) {
            long seriesId = -1 - l;  // ids no real series has; removed below
            done.add(pool.submit(() -> {
                try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
                    connection.setAutoCommit(false);
                    for (long from = 0; from < perLoader; from += 100_000) {
                        StringBuilder rows = new StringBuilder();
                        for (long step = from; step < Math.min(perLoader, from + 100_000); step++) {
                            rows.append(seriesId).append('\t').append(step).append("\t2026-01-01 00:00:00+00\t")
                                    .append(ThreadLocalRandom.current().nextDouble()).append('\n');
                        }
                        connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                                "copy metric_point (series_id, step, ts, value) from stdin",
                                new StringReader(rows.toString()));
                        connection.commit();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
            connection.createStatement().execute("delete from metric_point where series_id < 0");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("loaders", loaders);
        result.put("points", perLoader * loaders);
        result.put("points_per_s", Math.round(perLoader * loaders / seconds));
        return result;
    }
}
