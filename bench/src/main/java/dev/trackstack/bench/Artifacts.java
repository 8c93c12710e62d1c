package dev.trackstack.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;

/**
 * ARTIFACTS: one big file through the packaged server's artifact transfer (docs/api.md, "Artifacts"), beside
 * {@code cp} of the same file on the same disk: the upload as a client makes it (the manifest, one PATCH of the
 * whole file streamed from disk, the manifest again to commit) and the download of the blob to a file, each
 * ending with the bytes on disk (fsync), as {@code cp} does here; then the download again to /dev/null, what the
 * server sends without the receiver's page-cache writes. The server's heap is sampled during the upload and the first
 * download, to show that it does not grow with the file.
 */
final class Artifacts {

    private static final String PROJECT = "bench-artifacts";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Artifacts() {
    }

    static Map<String, Object> measure(Api api, Server server, Path work, long size) throws Exception {
        Path file = work.resolve("artifact.bin");
        String sha256 = generate(file, size);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file_bytes", size);

        Path copy = work.resolve("artifact.cp");
        double cp = seconds(() -> {
            Process process = new ProcessBuilder("cp", file.toString(), copy.toString()).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("cp failed");
            }
            force(copy);
            return null;
        });
        Files.delete(copy);
        result.put("cp_mb_per_s", mbPerSecond(size, cp));

        String run = api.createRun(api.createModel(PROJECT, "bench"), "artifact");
        Map<String, Object> manifest = Map.of("project", PROJECT, "name", "checkpoint", "type", "model",
                "runId", run, "files", List.of(Map.of("path", "model.bin", "size", size, "sha256", sha256)));
        List<Long> uploadHeap = new ArrayList<>();
        long heapBefore = server.heapUsedBytes();
        double upload = sampling(server, uploadHeap, () -> seconds(() -> {
            if (!logArtifact(api, manifest).at("/missingBlobs").toString().contains(sha256)) {
                throw new IllegalStateException("the blob is stored already: the bench needs a fresh server");
            }
            upload(server.url, file, sha256, size);
            if (!logArtifact(api, manifest).at("/created").asBoolean()) {
                throw new IllegalStateException("the version was not created");
            }
            return null;
        }));
        result.put("upload_mb_per_s", mbPerSecond(size, upload));
        result.put("upload_share_of_cp", Stats.round(cp / upload));

        Path downloaded = work.resolve("artifact.downloaded");
        List<Long> downloadHeap = new ArrayList<>();
        double download = sampling(server, downloadHeap, () -> seconds(() -> {
            curl("-o", downloaded.toString(), server.url + "/api/v1/projects/" + PROJECT + "/blobs/" + sha256);
            force(downloaded);
            return null;
        }));
        if (!sha256(downloaded).equals(sha256)) {
            throw new IllegalStateException("the downloaded file differs from the uploaded one");
        }
        Files.delete(downloaded);
        result.put("download_mb_per_s", mbPerSecond(size, download));
        result.put("download_share_of_cp", Stats.round(cp / download));
        // The same download thrown away (the blob now in the page cache): what the server sends, without the
        // receiver's writes to disk.
        double discarded = seconds(() -> {
            curl("-o", "/dev/null", server.url + "/api/v1/projects/" + PROJECT + "/blobs/" + sha256);
            return null;
        });
        result.put("download_discarded_mb_per_s", mbPerSecond(size, discarded));

        result.put("heap_before_bytes", heapBefore);
        result.put("heap_max_during_upload_bytes", max(uploadHeap));
        result.put("heap_max_during_download_bytes", max(downloadHeap));
        result.put("heap_samples", uploadHeap.size() + downloadHeap.size());
        // Garbage included: a heap that held the file would grow by about its size.
        long growth = Math.max(max(uploadHeap), max(downloadHeap)) - heapBefore;
        result.put("heap_max_growth_bytes", growth);
        result.put("heap_max_growth_share_of_file", Math.round(growth * 10_000.0 / size) / 10_000.0);
        Files.delete(file);
        return result;
    }

    /** POST the upload, then PATCH the whole file from offset 0, streamed from disk by curl. */
    private static void upload(String url, Path file, String sha256, long size) throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(
                URI.create(url + "/api/v1/projects/" + PROJECT + "/uploads"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(
                        Map.of("sha256", sha256, "size", size)))).build(), HttpResponse.BodyHandlers.ofString());
        check(created, 201);
        String id = Api.JSON.readTree(created.body()).get("id").asString();
        String headers = curl("-X", "PATCH", "-H", "Upload-Offset: 0", "-H",
                "Content-Type: application/offset+octet-stream", "-T", file.toString(), "-D", "-", "-o", "/dev/null",
                url + "/api/v1/uploads/" + id);
        if (!headers.toLowerCase(Locale.ROOT).contains("upload-complete: true")) {
            throw new IllegalStateException("the upload did not complete: " + headers);
        }
    }

    /**
     * The transfers go through curl, which streams from and to disk as fast as a client can: the JDK's HttpClient
     * sends a file at half the speed the server takes it. Answers what curl printed.
     */
    static String curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--fail-with-body"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private static JsonNode logArtifact(Api api, Map<String, Object> manifest) {
        return api.call("mutation($i: LogArtifactInput!) { logArtifact(input: $i) { missingBlobs created } }",
                Map.of("i", manifest)).get("logArtifact");
    }

    private static void check(HttpResponse<?> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
    }

    /** Random bytes (a checkpoint does not compress either), written and forced to disk; answers their SHA-256. */
    private static String generate(Path file, long size) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(42);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                int length = (int) Math.min(chunk.length, size - written);
                digest.update(chunk, 0, length);
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, length);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            out.force(true);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    static double seconds(Callable<Void> work) throws Exception {
        long start = System.nanoTime();
        work.call();
        return (System.nanoTime() - start) / 1e9;
    }

    /** Runs {@code work} while the server's heap in use is read every 200 ms into {@code heap}. */
    static double sampling(Server server, List<Long> heap, Callable<Double> work) throws Exception {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            try {
                long used = server.heapUsedBytes();
                synchronized (heap) {
                    heap.add(used);
                }
            } catch (Exception e) {
                // A sample lost while the machine is busy; the others stand.
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        try {
            return work.call();
        } finally {
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static long max(List<Long> samples) {
        synchronized (samples) {
            return samples.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    private static double mbPerSecond(long bytes, double seconds) {
        return Stats.round(bytes / 1e6 / seconds);
    }
}
