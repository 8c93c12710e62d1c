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
 * {@code cp} of the same file on the same disk, each transfer and copy ending with the bytes on disk (fsync), as
 * {@code cp} does here. After an untimed warm-up, uploads: by curl as a client makes it (the manifest, one PATCH of
 * the whole file streamed from disk, the manifest again to commit), then a second file of the same size by the Python
 * client (in its parts, by sendfile). The server writes uploads around the page cache, so a blob just uploaded is
 * read from the disk: the Python client's download of its blob is set beside {@code cp} of the other blob as the
 * server stored it (as cold); the downloads that follow (curl, the Python client again) find their blobs in the page
 * cache, as {@code cp}'s first copy found its source, and are set beside that. Last, curl to /dev/null: what the
 * server sends without the receiver's writes. All of it in {@link #ROUNDS} rounds with files of their own, each figure
 * the median of its rounds (a share of {@code cp} is taken within its round): the disk of these VMs varies twice over
 * from one minute to the next. The server's heap is sampled during the transfers, to show that it does not grow with
 * the file.
 */
final class Artifacts {

    private static final String PROJECT = "bench-artifacts";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Rounds of transfers, each with files of its own: the report gives each figure's median over them. */
    private static final int ROUNDS = 3;

    private Artifacts() {
    }

    static Map<String, Object> measure(Api api, Server server, Path work, long size, Path pythonClient)
            throws Exception {
        String run = api.createRun(api.createModel(PROJECT, "bench"), "artifact");
        // A quarter of the size first, up and down, untimed: the server's code compiled as in one that has served
        // uploads before (a fresh JVM takes the first one at about two thirds of the speed).
        Path warmUp = work.resolve("artifact-warm-up.bin");
        String warmUpSha256 = generate(warmUp, size / 4, 41);
        logVersion(api, server, "warm-up", run, warmUp, warmUpSha256, size / 4);
        curl("-o", "/dev/null", server.url + "/api/v1/projects/" + PROJECT + "/blobs/" + warmUpSha256);
        Files.delete(warmUp);

        Map<String, List<Double>> figures = new LinkedHashMap<>();
        List<Long> heap = new ArrayList<>();
        long heapBefore = server.heapUsedBytes();
        for (int round = 0; round < ROUNDS; round++) {
            Path files = Files.createDirectories(work.resolve("artifacts-round-" + round));
            measureRound(api, server, files, size, pythonClient, run, 42 + 2L * round, heap, figures);
            // Not inside a timing: the file system here discards a deleted file's blocks (mount option discard).
            Bench.removeTree(files);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file_bytes", size);
        result.put("rounds", ROUNDS);
        figures.forEach((name, values) -> result.put(name, Stats.round(median(values))));
        result.put("heap_before_bytes", heapBefore);
        result.put("heap_max_during_transfers_bytes", max(heap));
        result.put("heap_samples", heap.size());
        // Garbage included: a heap that held the file would grow by about its size.
        long growth = max(heap) - heapBefore;
        result.put("heap_max_growth_bytes", growth);
        result.put("heap_max_growth_share_of_file", Math.round(growth * 10_000.0 / size) / 10_000.0);
        return result;
    }

    /** One round with files of its own (random bytes from {@code seed} and the next), its figures added. */
    private static void measureRound(Api api, Server server, Path files, long size, Path pythonClient, String run,
            long seed, List<Long> heap, Map<String, List<Double>> figures) throws Exception {
        Path file = files.resolve("artifact.bin");
        Path other = files.resolve("artifact-python.bin");
        String sha256 = generate(file, size, seed);
        String otherSha256 = generate(other, size, seed + 1);
        String blob = server.url + "/api/v1/projects/" + PROJECT + "/blobs/";

        double cp = cp(file, files.resolve("artifact.cp"));
        add(figures, "cp", size, cp, null, 0);
        double upload = sampling(server, heap, () -> seconds(() -> {
            logVersion(api, server, "checkpoint", run, file, sha256, size);
            return null;
        }));
        add(figures, "upload_curl", size, upload, "cp", cp);
        double pythonUpload = sampling(server, heap, () -> python(pythonClient, files.resolve("cache-1"), "upload",
                server.url, PROJECT, otherSha256, String.valueOf(size), other.toString(), run));
        add(figures, "upload_python_client", size, pythonUpload, "cp", cp);

        // cp of the curl upload's blob as the server stored it, just written and not in the page cache, as the blob
        // of the Python upload, which the Python client downloads next. cp's first copy read a file still in the
        // page cache, as the downloads that follow read their blobs.
        double cpStored = cp(server.storedBlob(sha256), files.resolve("artifact-stored.cp"));
        add(figures, "cp_of_a_stored_blob_just_uploaded", size, cpStored, null, 0);
        double pythonDownload = sampling(server, heap, () -> python(pythonClient, files.resolve("cache-1"),
                "download", server.url, PROJECT, otherSha256, String.valueOf(size), "", run));
        add(figures, "download_python_client_blob_just_uploaded", size, pythonDownload,
                "cp_of_a_stored_blob_just_uploaded", cpStored);

        Path downloaded = files.resolve("artifact.downloaded");
        double download = sampling(server, heap, () -> seconds(() -> {
            curl("-o", downloaded.toString(), blob + sha256);
            force(downloaded);
            return null;
        }));
        if (!sha256(downloaded).equals(sha256)) {
            throw new IllegalStateException("the downloaded file differs from the uploaded one");
        }
        add(figures, "download_curl", size, download, "cp", cp);
        // Again, the blob now in the server's page cache, as cp's source was. fetch_blob checks the SHA-256 itself.
        double pythonAgain = python(pythonClient, files.resolve("cache-2"), "download", server.url, PROJECT,
                otherSha256, String.valueOf(size), "", run);
        add(figures, "download_python_client", size, pythonAgain, "cp", cp);
        // A download thrown away: what the server sends, without the receiver's writes to disk.
        double discarded = seconds(() -> {
            curl("-o", "/dev/null", blob + sha256);
            return null;
        });
        add(figures, "download_discarded", size, discarded, null, 0);
    }

    /**
     * This round's {@code name}_mb_per_s and, with a {@code baseline} (the name of a copy's figure and its
     * seconds), {@code name}_share_of_{@code baseline}.
     */
    private static void add(Map<String, List<Double>> figures, String name, long size, double seconds,
            String baseline, double baselineSeconds) {
        figures.computeIfAbsent(name + "_mb_per_s", unused -> new ArrayList<>()).add(size / 1e6 / seconds);
        if (baseline != null) {
            figures.computeIfAbsent(name + "_share_of_" + baseline, unused -> new ArrayList<>())
                    .add(baselineSeconds / seconds);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /**
     * The Python client (clients/python, standard library only) as a training script uses it: {@code upload} sends
     * a version of one file whose SHA-256 is known, as {@code run.log_artifact} does after hashing (deliver: the
     * manifest, the missing blob in parts, the commit); {@code download} fetches a blob into its {@code cache}
     * directory, as {@code use_artifact} does. Answers the seconds the call took, timed inside the interpreter.
     */
    private static double python(Path client, Path cache, String what, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", "-c", PYTHON, what));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", client.toAbsolutePath().toString());
        builder.environment().put("TRACKSTACK_CACHE_DIR", cache.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("the Python client's " + what + " failed: " + output);
        }
        return Double.parseDouble(output);
    }

    private static final String PYTHON = """
            import os, sys, time
            from trackstack.api import Api
            from trackstack.artifact import deliver, fetch_blob
            what, url, project, sha256, size, path, run = sys.argv[1:8]
            api = Api(url)
            started = time.perf_counter()
            if what == "upload":
                entry = {"request": {"project": project, "name": "checkpoint-python", "type": "model"},
                         "files": [{"path": "model.bin", "size": int(size), "sha256": sha256, "source": path,
                                    "mtimeNs": os.stat(path).st_mtime_ns}]}
                assert deliver(api, run, entry, 60)["created"], "no version created"
            else:
                fetch_blob(api, project, sha256, int(size))
            print(time.perf_counter() - started)
            """;

    /** Seconds for {@code cp} of {@code file} to {@code copy} and an fsync of the copy. */
    private static double cp(Path file, Path copy) throws Exception {
        return seconds(() -> {
            Process process = new ProcessBuilder("cp", file.toString(), copy.toString()).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("cp failed");
            }
            force(copy);
            return null;
        });
    }

    /** A version of one file as a client logs it: the manifest, the missing blob uploaded by curl, the commit. */
    private static void logVersion(Api api, Server server, String name, String run, Path file, String sha256,
            long size) throws Exception {
        Map<String, Object> manifest = Map.of("project", PROJECT, "name", name, "type", "model", "runId", run,
                "files", List.of(Map.of("path", "model.bin", "size", size, "sha256", sha256)));
        if (!logArtifact(api, manifest).at("/missingBlobs").toString().contains(sha256)) {
            throw new IllegalStateException("the blob is stored already: the bench needs a fresh server");
        }
        upload(server.url, file, sha256, size);
        if (!logArtifact(api, manifest).at("/created").asBoolean()) {
            throw new IllegalStateException("the version was not created");
        }
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
    private static String generate(Path file, long size, long seed) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(seed);
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
}
