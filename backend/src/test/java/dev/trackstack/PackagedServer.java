package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The executable jar (system property {@code trackstack.jar}, set by failsafe) run as its own process, as a
 * user runs it, on a free port; its output goes to {@code <logDir>/server-<port>.log}.
 */
public final class PackagedServer implements AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Process process;
    private final Path log;
    public final int port;

    private PackagedServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the jar with these arguments (besides the port) and waits until it is healthy. */
    public static PackagedServer start(Path logDir, String... args) throws Exception {
        return start(logDir, Map.of(), args);
    }

    /** The same with these environment variables set (besides the test's own). */
    public static PackagedServer start(Path logDir, Map<String, String> environment, String... args) throws Exception {
        PackagedServer server = launch(logDir, environment, args);
        server.awaitHealthy();
        return server;
    }

    /** Starts the jar without waiting for anything. */
    public static PackagedServer launch(Path logDir, Map<String, String> environment, String... args)
            throws IOException {
        int port = freePort();
        Path log = logDir.resolve("server-" + port + ".log");
        List<String> withPort = new ArrayList<>(List.of("--server.port=" + port));
        withPort.addAll(List.of(args));
        return new PackagedServer(run(log, environment, withPort), log, port);
    }

    /** Runs {@code java -jar trackstack.jar} with these arguments, its output (stdout and stderr) going to the log. */
    public static Process launch(Path log, String first, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(args));
        return run(log, Map.of(), all);
    }

    /** Runs {@code java -jar trackstack.jar} with these environment variables and arguments, the output to the log. */
    public static Process run(Path log, Map<String, String> environment, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("trackstack.jar")));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    private void awaitHealthy() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("server process, see " + log).isTrue();
            try {
                if (get("/actuator/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep waiting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("server did not become healthy, see " + log);
    }

    /** Sends a GraphQL request over HTTP and answers the raw response (errors included). */
    public HttpResponse<String> post(String query, Map<String, Object> variables) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/graphql")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("query", query, "variables", variables))))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Answers {@code data} of a request that must succeed. */
    public JsonNode data(String query, Map<String, Object> variables) throws Exception {
        HttpResponse<String> response = post(query, variables);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("errors")).as(response.body()).isFalse();
        return body.get("data");
    }

    public JsonNode data(String query) throws Exception {
        return data(query, Map.of());
    }

    public String createRun(String project) throws Exception {
        String model = data("mutation($p: String!) { createModel(project: $p, name: \"m\") { id } }",
                Map.of("p", project)).at("/createModel/id").asString();
        return data("mutation($m: ID!) { createRun(modelId: $m) { id } }", Map.of("m", model))
                .at("/createRun/id").asString();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** SIGTERM (a graceful shutdown); answers whether the process ended within a minute. */
    public boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
