package dev.trackstack.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** GraphQL over HTTP, as a training script or the dashboard speaks it. */
final class Api {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI endpoint;

    Api(String baseUrl) {
        this.endpoint = URI.create(baseUrl + "/graphql");
    }

    /** Answers {@code data}; any GraphQL error fails the benchmark, since numbers from failed calls mean nothing. */
    JsonNode call(String query, Map<String, Object> variables) {
        return data(send(query, variables));
    }

    /** The whole response body, neither decoded nor parsed: reads are timed to this. */
    byte[] send(String query, Map<String, Object> variables) {
        try {
            String body = JSON.writeValueAsString(Map.of("query", query, "variables", variables));
            return http.send(HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code data} of a response body; any GraphQL error fails the benchmark. */
    static JsonNode data(byte[] body) {
        JsonNode json = JSON.readTree(body);
        if (json.has("errors")) {
            throw new IllegalStateException("GraphQL error: " + json.get("errors"));
        }
        return json.get("data");
    }

    String createModel(String project, String name) {
        return call("mutation($p: String!, $n: String!) { createModel(project: $p, name: $n) { id } }",
                Map.of("p", project, "n", name)).at("/createModel/id").asString();
    }

    String createRun(String modelId, String name) {
        return call("mutation($m: ID!, $n: String) { createRun(modelId: $m, name: $n) { id } }",
                Map.of("m", modelId, "n", name)).at("/createRun/id").asString();
    }

    void logMetrics(String runId, Object points) {
        call("mutation($r: ID!, $p: [MetricPointInput!]!) { logMetrics(runId: $r, points: $p) { accepted } }",
                Map.of("r", runId, "p", points));
    }

    void logColumns(String runId, Object columns) {
        call("mutation($r: ID!, $c: [MetricColumnsInput!]) { logMetrics(runId: $r, columns: $c) { accepted } }",
                Map.of("r", runId, "c", columns));
    }
}
