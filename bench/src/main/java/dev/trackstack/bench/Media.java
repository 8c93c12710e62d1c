package dev.trackstack.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import javax.imageio.ImageIO;

import tools.jackson.databind.JsonNode;

/**
 * MEDIA (docs/api.md, "Media"): 256×256 PNGs logged through logMedia, one per call as a training script logs a
 * sample per step, by 4 writers across the runs (every image its own, none stored twice); then the step slider of a
 * compare view moved twice across every step as the dashboard's image panel loads it: mediaAtSteps for all runs and
 * the next 4 steps whenever the step shown is not among those fetched, each image with its preview at
 * a panel cell's rendition width, and the step shown (its items, then the runs' images that came without a preview
 * fetched at that width 6 at a time as a browser does); then the histogram panel:
 * histograms of 1,000 steps × 64 bins read in one query, {@code iterations} times.
 */
final class Media {

    private static final String PROJECT = "bench-media";
    private static final int SIDE = 256;
    private static final int WRITERS = 4;
    private static final int BROWSER_CONNECTIONS = 6;
    private static final int HISTOGRAM_STEPS = 1_000;
    /** Times the slider moves across every step. */
    private static final int SLIDER_PASSES = 2;
    private static final int BINS = 64;
    private static final String LOG = """
            mutation($r: ID!, $items: [MediaItemInput!]!) { logMedia(runId: $r, items: $items) { stored errors { message } } }""";
    /** Steps one query fetches, and the rendition width asked for: the image panel's (webapp/src/media). */
    private static final int PART = 4;
    private static final int RENDITION_WIDTH = 192;
    private static final String AT_STEPS = """
            query($runs: [ID!]!, $steps: [Long!]!, $width: Int!) {
              mediaAtSteps(runIds: $runs, name: "samples", steps: $steps) {
                step items { runId step image { width height url preview(width: $width) } } } }""";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Media() {
    }

    static Map<String, Object> measure(Api api, String url, int runCount, int steps, int iterations) throws Exception {
        String model = api.createModel(PROJECT, "vision");
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < runCount; i++) {
            runs.add(api.createRun(model, "media-" + i));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runCount);
        result.put("steps", steps);
        result.put("image", SIDE + "x" + SIDE + " PNG");

        long bytes = 0;
        long[] calls = new long[runCount * steps];
        long start = System.nanoTime();
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<Long>> logged = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                logged.add(writers.submit(() -> {
                    long written = 0;
                    for (int i = writer; i < calls.length; i += WRITERS) {
                        String run = runs.get(i % runCount);
                        byte[] png = png(i);
                        written += png.length;
                        long call = System.nanoTime();
                        JsonNode answer = api.call(LOG, Map.of("r", run, "items", List.of(Map.of("name", "samples",
                                "step", i / runCount, "image", Map.of("data", Base64.getEncoder().encodeToString(png))))));
                        calls[i] = System.nanoTime() - call;
                        if (answer.at("/logMedia/stored").asInt() != 1) {
                            throw new IllegalStateException("an image was not stored: " + answer);
                        }
                    }
                    return written;
                }));
            }
            for (Future<Long> future : logged) {
                bytes += future.get();
            }
        } finally {
            writers.shutdown();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        result.put("image_bytes_mean", bytes / calls.length);
        result.put("items_per_s", Stats.round(calls.length / seconds));
        result.put("mb_per_s", Stats.round(bytes / seconds / (1 << 20)));
        result.put("logMedia_call", Stats.of(calls));

        long[] shown = new long[steps * SLIDER_PASSES];
        long[] queries = new long[(steps + PART - 1) / PART * SLIDER_PASSES];
        int queried = 0;
        long previews = 0;
        ExecutorService browser = Executors.newFixedThreadPool(BROWSER_CONNECTIONS);
        try {
            Map<Long, JsonNode> itemsAt = new HashMap<>();
            for (int i = 0; i < shown.length; i++) {
                long step = i % steps;
                long begin = System.nanoTime();
                if (step == 0) {
                    itemsAt.clear();  // each pass starts with nothing fetched, as a newly opened panel
                }
                if (!itemsAt.containsKey(step)) {
                    List<Long> part = LongStream.range(step, Math.min(steps, step + PART)).boxed().toList();
                    for (JsonNode at : api.call(AT_STEPS, Map.of("runs", runs, "steps", part, "width",
                            RENDITION_WIDTH)).get("mediaAtSteps")) {
                        itemsAt.put(at.get("step").asLong(), at.get("items"));
                    }
                    queries[queried++] = System.nanoTime() - begin;
                }
                JsonNode items = itemsAt.get(step);
                if (items.size() != runCount) {
                    throw new IllegalStateException("mediaAtSteps answered " + items.size() + " items for " + runCount
                            + " runs at step " + step);
                }
                List<Future<?>> images = new ArrayList<>();
                for (JsonNode item : items) {
                    if (item.at("/image/preview").isString()) {
                        previews++;  // the image came with the items (a browser decodes it as it decodes a fetched one)
                    } else {
                        images.add(browser.submit(() -> fetch(url + item.at("/image/url").asString() + "&w="
                                + RENDITION_WIDTH)));
                    }
                }
                for (Future<?> image : images) {
                    image.get();
                }
                shown[i] = System.nanoTime() - begin;
            }
        } finally {
            browser.shutdown();
        }
        result.put("mediaAtSteps_" + runCount + "_runs_x_" + PART + "_steps",
                Stats.of(Arrays.copyOf(queries, queried)));
        result.put("images_answered_as_previews", previews);
        result.put("images_fetched", (long) shown.length * runCount - previews);
        result.put("step_shown_with_" + runCount + "_images", Stats.of(shown));
        result.put("histograms_" + HISTOGRAM_STEPS + "_steps_x_" + BINS + "_bins", histograms(api,
                api.createRun(model, "histograms"), iterations));
        return result;
    }

    /** Logs the series in calls of 100 steps, then reads it whole as a ridgeline panel does. */
    private static Map<String, Object> histograms(Api api, String run, int iterations) {
        SplittableRandom random = new SplittableRandom(7);
        List<Double> edges = new ArrayList<>();
        for (int b = 0; b <= BINS; b++) {
            edges.add(-1.0 + 2.0 * b / BINS);
        }
        for (int from = 0; from < HISTOGRAM_STEPS; from += 100) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (int step = from; step < from + 100; step++) {
                List<Double> counts = new ArrayList<>();
                for (int b = 0; b < BINS; b++) {
                    counts.add((double) random.nextInt(1000));
                }
                items.add(Map.of("name", "weights/fc1", "step", step, "histogram", Map.of("edges", edges,
                        "counts", counts)));
            }
            api.call(LOG, Map.of("r", run, "items", items));
        }
        long[] reads = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long begin = System.nanoTime();
            Api.data(api.send("query($r: ID!) { histograms(runId: $r, name: \"weights/fc1\", maxSteps: 1000) "
                    + "{ step edges counts } }", Map.of("r", run)));
            reads[i] = System.nanoTime() - begin;
        }
        return Stats.of(reads);
    }

    private static void fetch(String url) {
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A smooth picture with noise, its own for each index: compresses about as a photo's PNG does. */
    private static byte[] png(int index) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        SplittableRandom random = new SplittableRandom(index);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int r = (x + index) & 0xff;
                int g = (y * 2 + index / 7) & 0xff;
                int b = ((x ^ y) + random.nextInt(32)) & 0xff;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
