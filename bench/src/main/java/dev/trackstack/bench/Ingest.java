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
     * whose samples are dropped), with the figures of {@link #writers}.
     */
    static Map<String, Object> run(Api api, List<String> runIds, int batchSize, Duration warmUp, Duration measured,
            LiveProbe live) throws Exception {
        return run(api, runIds, batchSize, false, warmUp, measured, live);
    }

    /** {@link #run}, the points sent as objects or, with {@code columns}, as logMetrics' columns. */
    static Map<String, Object> run(Api api, List<String> runIds, int batchSize, boolean columns, Duration warmUp,
            Duration measured, LiveProbe live) throws Exception {
        return writers(runIds.size(), batchSize, "points", warmUp, measured, (writer, batch, inWindow) -> {
            String runId = runIds.get(writer);
            long step = batch * batchSize;
            if (columns) {
                api.logColumns(runId, columns(step, batchSize));
            } else {
                api.logMetrics(runId, batch(step, batchSize));
            }
            if (inWindow && live != null) {
                live.returned(runId, step, System.nanoTime());
            }
        });
    }

    /** One call of a writer: its {@code batch}-th, sent in the measured window or not. */
    interface Call {
        void send(int writer, long batch, boolean inWindow) throws Exception;
    }

    /**
     * {@code writers} writers each making calls of {@code perCall} {@code unit} for the duration (after a warm-up
     * whose samples are dropped). Answers units/s and calls/s of the calls answered within the measured window
     * (so a slow call that straddles the window's start still counts), and the latency of calls sent in it.
     */
    static Map<String, Object> writers(int writers, int perCall, String unit, Duration warmUp, Duration measured,
            Call call) throws Exception {
        AtomicLong units = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measured.toNanos();
        inParallel(writers, writer -> {
            for (long batch = 0; System.nanoTime() < end; batch++) {
                long sent = System.nanoTime();
                call.send(writer, batch, sent >= measureFrom);
                long returned = System.nanoTime();
                if (sent >= measureFrom) {
                    latencies.add(returned - sent);
                }
                if (returned >= measureFrom && returned < end) {
                    calls.incrementAndGet();
                    units.addAndGet(perCall);
                }
            }
        });
        double seconds = measured.toNanos() / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("writers", writers);
        result.put(unit + "_per_call", perCall);
        result.put(unit, units.get());
        result.put(unit + "_per_s", Math.round(units.get() / seconds));
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

    /** The same points as {@link #batch}, as one column. */
    static List<Map<String, Object>> columns(long firstStep, int size) {
        long[] steps = new long[size];
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            steps[i] = firstStep + i;
            values[i] = ThreadLocalRandom.current().nextDouble();
        }
        return List.of(Map.of("name", "loss", "split", "train", "steps", steps, "values", values));
    }

    /**
     * The ceiling: {@code total} rows in the points table's own shape, written by as many loaders as there
     * were writers, with COPY in transactions of 100,000 rows; then removed again.
     */
    static Map<String, Object> copyCeiling(String jdbcUrl, int loaders, long total) throws Exception {
        long perLoader = total / loaders;
        // series ids no real series has; removed below
        double seconds = copy(jdbcUrl, loaders, perLoader, 100_000,
                "copy metric_point (series_id, step, ts, value) from stdin",
                (rows, loader, step) -> rows.append(-1 - loader).append('\t').append(step)
                        .append("\t2026-01-01 00:00:00+00\t").append(ThreadLocalRandom.current().nextDouble())
                        .append('\n'));
        try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
            connection.createStatement().execute("delete from metric_point where series_id < 0");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("loaders", loaders);
        result.put("points", perLoader * loaders);
        result.put("points_per_s", Math.round(perLoader * loaders / seconds));
        return result;
    }

    /** Appends the {@code index}-th row of a loader to a COPY text-format buffer. */
    interface CopyRow {
        void append(StringBuilder rows, int loader, long index);
    }

    /**
     * {@code loaders} connections each writing {@code perLoader} rows with {@code copySql}, committing every
     * {@code perTransaction} rows; answers the seconds it took them all.
     */
    static double copy(String jdbcUrl, int loaders, long perLoader, int perTransaction, String copySql, CopyRow row)
            throws Exception {
        long start = System.nanoTime();
        inParallel(loaders, loader -> {
            try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
                connection.setAutoCommit(false);
                for (long from = 0; from < perLoader; from += perTransaction) {
                    StringBuilder rows = new StringBuilder();
                    for (long index = from; index < Math.min(perLoader, from + perTransaction); index++) {
                        row.append(rows, loader, index);
                    }
                    connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql,
                            new StringReader(rows.toString()));
                    connection.commit();
                }
            }
        });
        return (System.nanoTime() - start) / 1e9;
    }

    /** A task of one of several threads, by its index. */
    interface Task {
        void run(int index) throws Exception;
    }

    /**
     * Runs {@code count} tasks on threads of their own and waits for them all; fails with the first failure,
     * stopping the others (so that a failed benchmark ends instead of waiting for its threads).
     */
    static void inParallel(int count, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                done.add(pool.submit(() -> {
                    task.run(index);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
