package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Starts the executable jar as a user would (embedded PostgreSQL, a data directory of its own) and checks
 * the API, the dashboard, and that the data survives a graceful restart and a SIGKILL.
 */
class PackagedJarIT {

    private static final String POINTS = "[{\"value\":1.5},{\"value\":\"NaN\"}]";

    /** Data and server logs; kept when the test fails. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private PackagedServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldServeTheApiAndTheDashboardAndKeepDataAcrossRestarts() throws Exception {
        start();

        String run = server.createRun("it");
        JsonNode logged = server.data("mutation { logMetrics(runId: \"" + run + "\", points: ["
                + "{name: \"loss\", split: \"train\", step: 0, value: 1.5},"
                + "{name: \"loss\", split: \"train\", step: 1, value: \"NaN\"}]) { accepted } }");
        assertThat(logged.at("/logMetrics/accepted").asInt()).isEqualTo(2);
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("<title>Trackstack</title>");

        assertThat(server.stop()).as("graceful shutdown").isTrue();
        start();
        assertThat(seriesValues(run)).isEqualTo(POINTS);

        // A SIGKILL leaves the embedded PostgreSQL running; the next start must take over the data directory.
        server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        start();
        assertThat(seriesValues(run)).isEqualTo(POINTS);
    }

    private String seriesValues(String run) throws Exception {
        return server.data("{ series(runIds: [\"" + run + "\"]) { points { value } } }")
                .at("/series/0/points").toString();
    }

    private void start() throws Exception {
        server = PackagedServer.start(work, "--trackstack.data-dir=" + work.resolve("data"));
    }
}
