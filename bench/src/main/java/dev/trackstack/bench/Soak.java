package dev.trackstack.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The soak: writers log at a fixed rate (half the measured capacity) for a long time while subscribers listen,
 * and the server's heap and RSS are sampled every few seconds, so that a leak or a slowdown shows as a trend:
 * first against last sample, first against last latency window.
 */
final class Soak {

    private static final int BATCH = 1000;
    /** The rate's floor, for when the capacity measured on a busy machine comes out near zero. */
    private static final double MIN_POINTS_PER_SECOND = 1000;
    /** A latency window spans this many sample intervals. */
    private static final int SAMPLES_PER_WINDOW = 10;

    private Soak() {
    }

    /** Samples every duration/30, between 1 and 30 seconds: 20 s → every 1 s, 30 min → every 30 s. */
    private static Duration sampleInterval(Duration duration) {
        long millis = Math.max(1000, Math.min(30_000, duration.toMillis() / 30));
        return Duration.ofMillis(millis);
    }

    static Map<String, Object> run(Api api, Server server, List<String> runIds, LiveProbe live, double targetRate,
            Duration duration) throws Exception {
        double pointsPerSecond = Math.max(MIN_POINTS_PER_SECOND, targetRate);
        Duration every = sampleInterval(duration);
        long window = every.toNanos() * SAMPLES_PER_WINDOW;
        MemorySamples memory = new MemorySamples(server, every);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        // Each writer sends a batch every `interval`, the writers staggered across it.
        long interval = Math.round(runIds.size() * BATCH / pointsPerSecond * 1e9);
        ConcurrentLinkedQueue<long[]> calls = new ConcurrentLinkedQueue<>();  // {sent, latency}
        ExecutorService writers = Executors.newFixedThreadPool(runIds.size());
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < runIds.size(); w++) {
            String runId = runIds.get(w);
            long first = start + interval * w / runIds.size();
            done.add(writers.submit(() -> {
                long step = 0;
                for (long next = first; next < end; next += interval) {
                    TimeUnit.NANOSECONDS.sleep(next - System.nanoTime());
                    long sent = System.nanoTime();
                    api.logMetrics(runId, Ingest.batch(step, BATCH));
                    long returned = System.nanoTime();
                    live.returned(runId, step, returned);
                    calls.add(new long[] {sent - start, returned - sent});
                    step += BATCH;
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        List<Map<String, Object>> samples = memory.stop();
        writers.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("duration_s", duration.toSeconds());
        result.put("writers", runIds.size());
        result.put("points_per_call", BATCH);
        result.put("target_points_per_s", Math.round(pointsPerSecond));
        result.put("points_per_s", Math.round(calls.size() * BATCH / seconds));
        result.put("sample_interval_s", every.toMillis() / 1000.0);
        result.put("heap_bytes", MemorySamples.firstLastMax(samples, "heap_bytes"));
        result.put("rss_bytes", MemorySamples.firstLastMax(samples, "rss_bytes"));
        List<List<Long>> windows = new ArrayList<>();
        for (long[] call : calls) {
            int index = (int) (call[0] / window);
            while (windows.size() <= index) {
                windows.add(new ArrayList<>());
            }
            windows.get(index).add(call[1]);
        }
        result.put("window_s", window / 1e9);
        result.put("call_latency_first_window", latency(windows.get(0)));
        result.put("call_latency_last_window", latency(windows.get(windows.size() - 1)));
        result.put("call_p95_ms_per_window", windows.stream().map(w -> latency(w).get("p95_ms")).toList());
        result.put("log_to_visible", Stats.of(live.latencies()));
        result.put("samples", samples);
        return result;
    }

    private static Map<String, Object> latency(List<Long> nanos) {
        return Stats.of(nanos.stream().mapToLong(Long::longValue).toArray());
    }
}
