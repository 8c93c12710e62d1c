package dev.trackstack.importer.mlflow;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for a running MLflow server: answers experiments/search, runs/search and metrics/get-history of MLflow's
 * REST API 2.0 with the fixture, as the API documents their responses, in pages of two (next_page_token), and asks
 * for a bearer token when given one (401 otherwise, as MLflow's basic-auth app answers).
 */
final class MlflowServerStandIn implements AutoCloseable {

    private static final int PAGE = 2;

    private final HttpServer server;
    private final JsonMapper json;
    private final String token;
    /** Requests answered, by endpoint. */
    final Map<String, Integer> requests = new HashMap<>();

    MlflowServerStandIn(JsonMapper json, String token) throws IOException {
        this.json = json;
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/2.0/mlflow/", this::answer);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String endpoint = exchange.getRequestURI().getPath().substring("/api/2.0/mlflow/".length());
            requests.merge(endpoint, 1, Integer::sum);
            if (token != null && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, Map.of("error_code", "UNAUTHENTICATED", "message", "Invalid credentials"));
                return;
            }
            Map<String, Object> body = exchange.getRequestMethod().equals("POST")
                    ? json.readValue(exchange.getRequestBody(), Map.class) : query(exchange);
            int from = body.get("page_token") == null ? 0 : Integer.parseInt(body.get("page_token").toString());
            switch (endpoint) {
                case "experiments/search" -> send(exchange, 200, page("experiments",
                        MlflowFixture.EXPERIMENTS.stream().map(MlflowFixture::experimentJson).toList(), from));
                case "runs/search" -> {
                    List<?> ids = (List<?>) body.get("experiment_ids");
                    send(exchange, 200, page("runs", MlflowFixture.RUNS.stream()
                            .filter(run -> ids.contains(run.experimentId())).map(MlflowFixture::runJson).toList(), from));
                }
                case "metrics/get-history" -> send(exchange, 200, page("metrics", MlflowFixture.RUNS.stream()
                        .filter(run -> run.id().equals(body.get("run_id"))).flatMap(run -> run.metrics().stream())
                        .filter(metric -> metric.key().equals(body.get("metric_key")))
                        .map(MlflowFixture::metricJson).toList(), from));
                default -> send(exchange, 404, Map.of("error_code", "ENDPOINT_NOT_FOUND", "message", "No such endpoint"));
            }
        }
    }

    /** One page of the list from the offset; next_page_token only when more follow, as MLflow leaves it out. */
    private static Map<String, Object> page(String field, List<?> all, int from) {
        Map<String, Object> page = new HashMap<>();
        page.put(field, all.subList(from, Math.min(all.size(), from + PAGE)));
        if (from + PAGE < all.size()) {
            page.put("next_page_token", String.valueOf(from + PAGE));
        }
        return page;
    }

    private static Map<String, Object> query(HttpExchange exchange) {
        Map<String, Object> query = new HashMap<>();
        for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        return query;
    }

    private void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
