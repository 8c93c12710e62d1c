package dev.trackstack.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** The packaged Trackstack jar, run as a separate process against the benchmark's database. */
final class Server implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    final String url;
    /** Where the server keeps artifact blobs: its filesystem store, on the bench's disk. */
    final Path artifacts;

    private Server(Process process, String url, Path artifacts) {
        this.process = process;
        this.url = url;
        this.artifacts = artifacts;
    }

    /** The file in which the filesystem store keeps a blob (FilesystemBlobStore's layout). */
    Path storedBlob(String sha256) {
        return artifacts.resolve("blobs").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4))
                .resolve(sha256);
    }

    static Server start(Path jar, String jdbcUrl, Path logDir) throws Exception {
        int port = freePort();
        Path log = logDir.resolve("server-" + port + ".log");
        Path artifacts = logDir.resolve("artifacts-" + port);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--server.port=" + port, "--spring.datasource.url=" + jdbcUrl,
                "--logging.level.root=WARN",
                // Artifacts on the bench's disk, not in the user's data directory.
                "--trackstack.artifacts.directory=" + artifacts)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String url = "http://127.0.0.1:" + port;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited; see " + log);
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return new Server(process, url, artifacts);
                }
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("server did not start; see " + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Resident set size of the JVM that serves: the launcher's child (FastStart), or the launcher itself when it runs
     * the server in its own JVM; from /proc (Linux).
     */
    long rssBytes() throws IOException {
        return rssBytes(serverJvm());
    }

    /** Resident set size of the launcher when the server runs in a JVM of its own (FastStart), else 0. */
    long launcherRssBytes() throws IOException {
        return serverJvm().equals(process.toHandle()) ? 0 : rssBytes(process.toHandle());
    }

    private ProcessHandle serverJvm() {
        return process.children().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElse(process.toHandle());
    }

    private static long rssBytes(ProcessHandle jvm) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(jvm.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + jvm.pid() + "/status");
    }

    /** Heap in use in the server's JVM, from its metrics endpoint (jvm.memory.used, area=heap). */
    long heapUsedBytes() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(url + "/actuator/metrics/jvm.memory.used?tag=area:heap")).build(),
                HttpResponse.BodyHandlers.ofString());
        return (long) Api.JSON.readTree(response.body()).at("/measurements/0/value").asDouble();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
