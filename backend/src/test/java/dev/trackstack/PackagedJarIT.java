package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts the executable jar as a user would (embedded PostgreSQL, a data directory of its own) and checks
 * the API, the dashboard, and that the data survives a graceful restart and a SIGKILL.
 */
class PackagedJarIT {

    private static final String POINTS = "[{\"value\":1.5},{\"value\":\"NaN\"}]";

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private Process server;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldServeTheApiAndTheDashboardAndKeepDataAcrossRestarts() throws Exception {
        Path dataDir = Files.createTempDirectory("trackstack-it-");
        start(dataDir);

        String model = graphQl("mutation { createModel(project: \"it\", name: \"mlp\") { id } }")
                .at("/data/createModel/id").asString();
        String run = graphQl("mutation { createRun(modelId: \"" + model + "\", name: \"r\") { id } }")
                .at("/data/createRun/id").asString();
        JsonNode logged = graphQl("mutation { logMetrics(runId: \"" + run + "\", points: ["
                + "{name: \"loss\", split: \"train\", step: 0, value: 1.5},"
                + "{name: \"loss\", split: \"train\", step: 1, value: \"NaN\"}]) { accepted } }");
        assertThat(logged.at("/data/logMetrics/accepted").asInt()).isEqualTo(2);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(uri("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("<title>Trackstack</title>");

        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("graceful shutdown").isTrue();
        start(dataDir);
        assertThat(seriesValues(run)).isEqualTo(POINTS);

        // A SIGKILL leaves the embedded PostgreSQL running; the next start must take over the data directory.
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        start(dataDir);
        assertThat(seriesValues(run)).isEqualTo(POINTS);
    }

    private String seriesValues(String run) throws Exception {
        return graphQl("{ series(runIds: [\"" + run + "\"]) { points { value } } }")
                .at("/data/series/0/points").toString();
    }

    private void start(Path dataDir) throws Exception {
        port = freePort();
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + port + ".log");
        server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("trackstack.jar"), "--server.port=" + port, "--trackstack.data-dir=" + dataDir)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            assertThat(server.isAlive()).as("server process, see " + log).isTrue();
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep waiting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("server did not become healthy, see " + log);
    }

    private JsonNode graphQl(String query) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("query", query))))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(response.body());
        assertThat(body.has("errors")).as(response.body()).isFalse();
        return body;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
