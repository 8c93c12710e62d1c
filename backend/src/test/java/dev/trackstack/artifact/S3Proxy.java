package dev.trackstack.artifact;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import dev.trackstack.PackagedServer;

/**
 * S3Proxy (an S3-compatible server from Maven Central, target/s3proxy/s3proxy.jar) in a process of its own, storing
 * in a directory: a real S3 API without Docker, and without its Jetty on the test class path.
 */
final class S3Proxy implements AutoCloseable {

    static final String ACCESS_KEY = "trackstack";
    static final String SECRET_KEY = "trackstack-secret";

    private final Process process;
    private final URI endpoint;

    private S3Proxy(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static S3Proxy start(Path work) throws IOException, InterruptedException {
        int port = PackagedServer.freePort();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Path properties = Files.writeString(work.resolve("s3proxy.properties"), String.join("\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + Files.createDirectories(work.resolve("buckets"))));
        Process process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"),
                "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("s3proxy.log").toFile()).start();
        S3Proxy proxy = new S3Proxy(process, endpoint);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                proxy.close();
                throw new IllegalStateException("S3Proxy did not start: " + Files.readString(work.resolve("s3proxy.log")));
            }
            Thread.sleep(100);
        }
        return proxy;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
