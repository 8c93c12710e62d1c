package dev.trackstack.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's heap in use and its JVM's RSS, sampled on a thread of its own every interval from creation to
 * {@link #stop()}, for the soak and W2's memory.
 */
final class MemorySamples {

    private final List<Map<String, Object>> samples = new ArrayList<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "memory-samples");
        thread.setDaemon(true);  // a failed workload ends the bench without stopping it
        return thread;
    });
    private volatile Exception failure;

    MemorySamples(Server server, Duration every) {
        long start = System.nanoTime();
        sampler.scheduleAtFixedRate(() -> {
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("t_s", Math.round((System.nanoTime() - start) / 1e9));
            try {
                sample.put("heap_bytes", server.heapUsedBytes());
                sample.put("rss_bytes", server.rssBytes());
            } catch (Exception e) {
                failure = e;
                sampler.shutdown();
                return;
            }
            synchronized (samples) {
                samples.add(sample);
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sampling; answers the samples taken, oldest first. */
    List<Map<String, Object>> stop() throws InterruptedException {
        sampler.shutdown();
        sampler.awaitTermination(1, TimeUnit.MINUTES);
        if (failure != null) {
            throw new IllegalStateException("sampling the server's memory failed", failure);
        }
        synchronized (samples) {
            if (samples.isEmpty()) {
                throw new IllegalStateException("no sample of the server's memory was taken");
            }
            return List.copyOf(samples);
        }
    }

    /** The first, last and largest value of a sampled figure. */
    static Map<String, Object> firstLastMax(List<Map<String, Object>> samples, String key) {
        List<Long> values = samples.stream().map(s -> (Long) s.get(key)).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("first", values.get(0));
        result.put("last", values.get(values.size() - 1));
        result.put("max", values.stream().mapToLong(Long::longValue).max().orElseThrow());
        return result;
    }
}
