package dev.trackstack.importer.wandb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for a W&B server's GraphQL API (/graphql) as the wandb SDK's public API reads it: the Runs query (runs
 * of a project, one per page here, with cursor and pageInfo), Run (one run by its id), HistoryPage (history rows of a
 * step range [minStep, maxStep), at most `samples` of them, as JSON-encoded lines) and RunFullHistory's events (system
 * metric rows, keys prefixed "system.", as wandb-core's file stream sends them). config and summaryMetrics are JSON
 * strings, config values wrapped as {"value", "desc"}, times UTC without a zone, as the server answers them. Asks for
 * HTTP basic auth "api:&lt;key&gt;" (401 otherwise, as the server answers a bad key).
 */
final class WandbServerStandIn implements AutoCloseable {

    private static final Pattern OPERATION = Pattern.compile("query (\\w+)");

    /** One run of the fixture: its Run node fields, its history rows and its system metric rows. */
    record Run(Map<String, Object> node, List<Map<String, Object>> history, List<Map<String, Object>> events) {
    }

    private final HttpServer server;
    private final String entity;
    private final String project;
    private final String key;
    final List<Run> runs = new ArrayList<>();
    /** Queries answered, by operation name. */
    final Map<String, Integer> requests = new HashMap<>();

    WandbServerStandIn(String entity, String project, String key) throws IOException {
        this.entity = entity;
        this.project = project;
        this.key = key;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/graphql", this::answer);
        server.start();
    }

    /** The source URL of the project. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + entity + "/" + project;
    }

    @SuppressWarnings("unchecked")
    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("api:" + key)
                    .getBytes(StandardCharsets.UTF_8));
            if (!exchange.getRequestMethod().equals("POST")
                    || !basic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, Map.of("errors", List.of(Map.of("message", "user is not logged in"))));
                return;
            }
            Map<String, Object> body = WandbValues.JSON.readValue(exchange.getRequestBody(), Map.class);
            Map<String, Object> variables = (Map<String, Object>) body.get("variables");
            Matcher operation = OPERATION.matcher((String) body.get("query"));
            String name = operation.find() ? operation.group(1) : "";
            requests.merge(name, 1, Integer::sum);
            if (!entity.equals(variables.get("entity")) || !project.equals(variables.get("project"))) {
                send(exchange, 200, Map.of("data", Map.of()));
                return;
            }
            Object answer = switch (name) {
                case "Runs" -> runsPage((String) variables.get("cursor"));
                case "Run" -> {
                    Map<String, Object> found = new HashMap<>();
                    found.put("run", node(run((String) variables.get("name"))));
                    yield found;
                }
                case "HistoryPage" -> Map.of("run", Map.of("history", history(run((String) variables.get("run")),
                        ((Number) variables.get("minStep")).longValue(), ((Number) variables.get("maxStep"))
                                .longValue(), ((Number) variables.get("pageSize")).intValue())));
                case "RunFullHistory" -> Map.of("run", Map.of("events", run((String) variables.get("name")).events()
                        .stream().map(WandbServerStandIn::line).toList()));
                default -> null;
            };
            if (answer == null) {
                send(exchange, 400, Map.of("errors", List.of(Map.of("message", "unknown operation " + name))));
            } else {
                Map<String, Object> data = new HashMap<>();
                data.put("project", answer);
                send(exchange, 200, Map.of("data", data));
            }
        }
    }

    /** One run per page: the cursor is the index of the run after it. */
    private Map<String, Object> runsPage(String cursor) {
        int from = cursor == null ? 0 : Integer.parseInt(cursor);
        List<Map<String, Object>> edges = from < runs.size()
                ? List.of(Map.of("node", node(runs.get(from)), "cursor", String.valueOf(from + 1))) : List.of();
        return Map.of("runs", Map.of("edges", edges, "pageInfo", Map.of("endCursor", String.valueOf(from + 1),
                "hasNextPage", from + 1 < runs.size())));
    }

    private Run run(String id) {
        return runs.stream().filter(run -> run.node().get("name").equals(id)).findFirst().orElse(null);
    }

    private static Map<String, Object> node(Run run) {
        if (run == null) {
            return null;
        }
        Map<String, Object> node = new LinkedHashMap<>(run.node());
        node.put("historyLineCount", run.history().size());
        node.put("historyKeys", Map.of("lastStep", run.history().isEmpty() ? -1
                : run.history().get(run.history().size() - 1).get("_step")));
        return node;
    }

    private static List<String> history(Run run, long minStep, long maxStep, int samples) {
        return run.history().stream().filter(row -> ((Number) row.get("_step")).longValue() >= minStep
                && ((Number) row.get("_step")).longValue() < maxStep).limit(samples).map(WandbServerStandIn::line)
                .toList();
    }

    private static String line(Map<String, Object> row) {
        return WandbValues.JSON.writeValueAsString(row);
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = WandbValues.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
