package dev.trackstack.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EXPORT: {@code points} points logged through logMetrics in full batches (10,000) by 8 writers into 10 runs, then
 * exported to Parquet through {@code GET /api/v1/projects/{project}/export/points} by curl into a file (docs/api.md,
 * "Exporting"), while the server's heap in use is read every 200 ms: an export that held its points would grow the
 * heap by at least their 24 bytes of step, time and value each.
 */
final class Export {

    private static final String PROJECT = "bench-export";
    private static final int RUNS = 10;
    private static final int BATCH = 10_000;

    private Export() {
    }

    /**
     * Logs a batch, again after UNAVAILABLE (a call that waited 30 s for its turn on a busy machine), as clients do:
     * only the export is measured here.
     */
    private static void log(Api api, String run, Object points) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                api.logMetrics(run, points);
                return;
            } catch (IllegalStateException e) {
                if (attempt == 5 || !e.getMessage().contains("UNAVAILABLE")) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    static Map<String, Object> measure(Api api, Server server, Path work, long points) throws Exception {
        String model = api.createModel(PROJECT, "bench");
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runs.add(api.createRun(model, "export-" + i));
        }
        long perRun = points / RUNS;
        long batchesPerRun = perRun / BATCH;
        Map<String, Object> result = new LinkedHashMap<>();
        double logging = Artifacts.seconds(() -> {
            Ingest.inParallel(8, writer -> {
                for (long batch = writer; batch < RUNS * batchesPerRun; batch += 8) {
                    log(api, runs.get((int) (batch / batchesPerRun)), Ingest.batch(batch % batchesPerRun * BATCH, BATCH));
                }
            });
            return null;
        });
        long logged = RUNS * batchesPerRun * BATCH;
        result.put("points", logged);
        result.put("logging_points_per_s", Math.round(logged / logging));

        Path file = work.resolve("export.parquet");
        List<Long> heap = new ArrayList<>();
        long heapBefore = server.heapUsedBytes();
        double export = Artifacts.sampling(server, heap, () -> Artifacts.seconds(() -> {
            Artifacts.curl("-o", file.toString(), server.url + "/api/v1/projects/" + PROJECT
                    + "/export/points?format=parquet");
            return null;
        }));
        byte[] bytes = Files.readAllBytes(file);
        if (!"PAR1".equals(new String(Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length),
                StandardCharsets.US_ASCII))) {
            throw new IllegalStateException("the export is not a whole Parquet file");
        }
        Files.delete(file);
        result.put("export_seconds", Stats.round(export));
        result.put("export_points_per_s", Math.round(logged / export));
        result.put("file_bytes", bytes.length);
        result.put("heap_before_bytes", heapBefore);
        long max = Artifacts.max(heap);
        result.put("heap_max_during_export_bytes", max);
        result.put("heap_samples", heap.size());
        // Garbage included; the points' own 24 bytes each would be 240 MB at 10,000,000.
        result.put("heap_max_growth_bytes", max - heapBefore);
        result.put("heap_max_growth_share_of_points_24_bytes", Math.round((max - heapBefore) * 10_000.0
                / (logged * 24)) / 10_000.0);
        return result;
    }
}
