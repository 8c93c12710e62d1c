package dev.trackstack.importer.wandb;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSink.RunHandle;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The runs of a project on a W&B server (wandb.ai or a self-hosted one), read through the GraphQL API that the wandb
 * SDK's public API (wandb.Api()) reads, with its queries: the project's runs page by page, each run's full history in
 * step ranges (HistoryScan), and its system metrics as the server samples them (the "events" stream). The key goes
 * as HTTP basic auth, user "api", as the SDK sends it.
 */
final class WandbServer {

    private static final int RUNS_PAGE = 50;
    private static final int HISTORY_PAGE = 1_000;
    /** The system metric rows asked for; the server samples a run's events down to at most its own limit. */
    private static final int EVENT_SAMPLES = 100_000;

    private static final String RUN_FIELDS = """
            fragment RunFragment on Run {
                name displayName state config summaryMetrics tags notes group jobType sweepName createdAt heartbeatAt
                historyLineCount historyKeys
            }
            """;
    private static final String RUNS = """
            query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String) {
                project(name: $project, entityName: $entity) {
                    runs(after: $cursor, first: $perPage, order: $order) {
                        edges { node { ...RunFragment } cursor }
                        pageInfo { endCursor hasNextPage }
                    }
                }
            }
            """ + RUN_FIELDS;
    private static final String RUN = """
            query Run($project: String!, $entity: String!, $name: String!) {
                project(name: $project, entityName: $entity) { run(name: $name) { ...RunFragment } }
            }
            """ + RUN_FIELDS;
    private static final String HISTORY = """
            query HistoryPage($entity: String!, $project: String!, $run: String!, $minStep: Int64!, $maxStep: Int64!,
                    $pageSize: Int!) {
                project(name: $project, entityName: $entity) {
                    run(name: $run) { history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize) }
                }
            }
            """;
    private static final String EVENTS = """
            query RunFullHistory($project: String!, $entity: String!, $name: String!, $samples: Int) {
                project(name: $project, entityName: $entity) { run(name: $name) { events(samples: $samples) } }
            }
            """;

    private final String base;
    private final String host;
    private final String entity;
    private final String project;
    private final String runId;
    private final String authorization;
    private final ImportSink sink;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    /** {@code source}: scheme://host/entity/project, or …/project/run-id for one run. */
    WandbServer(String source, String apiKey, ImportSink sink) {
        URI uri;
        try {
            uri = URI.create(source);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        String[] path = uri == null || uri.getRawAuthority() == null ? new String[0]
                : uri.getPath().replaceAll("^/+|/+$", "").split("/+");
        if (path.length < 2 || path.length > 3 || path[0].isEmpty()) {
            throw new ImportException(source + " is not a W&B project: give https://<host>/<entity>/<project>, or"
                    + " …/<project>/<run id> for one run (e.g. https://api.wandb.ai/my-team/my-project).");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new ImportException("A W&B server import needs a W&B API key as apiKey (see <host>/authorize).");
        }
        this.base = uri.getScheme() + "://" + uri.getRawAuthority();
        this.host = uri.getHost();
        this.entity = path[0];
        this.project = path[1];
        this.runId = path.length == 3 ? path[2] : null;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(("api:" + apiKey)
                .getBytes(StandardCharsets.UTF_8));
        this.sink = sink;
    }

    void read() throws IOException {
        if (runId != null) {
            JsonNode run = projectOf(query(RUN, Map.of("name", runId))).path("run");
            if (!run.isObject()) {
                throw new ImportException("There is no run " + runId + " in " + entity + "/" + project + " on "
                        + host + ".");
            }
            read(run);
        } else {
            String cursor = null;
            do {
                Map<String, Object> variables = new HashMap<>(Map.of("perPage", RUNS_PAGE,
                        "order", "+created_at"));
                variables.put("cursor", cursor);
                JsonNode runs = projectOf(query(RUNS, variables)).path("runs");
                for (JsonNode edge : runs.path("edges")) {
                    read(edge.path("node"));
                }
                JsonNode page = runs.path("pageInfo");
                cursor = page.path("hasNextPage").asBoolean(false) ? text(page, "endCursor") : null;
            } while (cursor != null);
        }
        sink.unmapped(host + ": console output, files, media and artifacts are not read from a W&B server");
    }

    private JsonNode projectOf(JsonNode data) {
        JsonNode found = data.path("project");
        if (!found.isObject()) {
            throw new ImportException("There is no project " + entity + "/" + project + " on " + host
                    + " that the key can read.");
        }
        return found;
    }

    private void read(JsonNode node) throws IOException {
        String id = text(node, "name");
        if (id == null) {
            throw new ImportException(host + " answered a run without its id (name): is it a W&B server?");
        }
        RunValues values = new RunValues(id);
        Map<String, Object> hyperparameters = values.hyperparameters(jsonObject(node.path("config")), sink);
        List<String> elsewhere = new ArrayList<>();
        for (String[] field : new String[][] {{"group", "group"}, {"jobType", "job type"}, {"sweepName", "sweep"}}) {
            String value = text(node, field[0]);
            if (value != null) {
                elsewhere.add(field[1] + " \"" + value + "\"");
            }
        }
        if (!elsewhere.isEmpty()) {
            sink.unmapped("run " + id + ": " + String.join(", ", elsewhere) + " not imported");
        }
        List<String> tags = node.path("tags").valueStream().filter(JsonNode::isString).map(JsonNode::asString)
                .toList();
        RunHandle handle = sink.run(new ImportedRun(id, project, text(node, "displayName"),
                hyperparameters, tags, text(node, "notes"),
                time(node.path("createdAt"))));
        history(id, node.path("historyKeys").path("lastStep").asLong(-1) + 1, values, handle);
        events(id, values, handle);
        String state = Objects.requireNonNullElse(text(node, "state"), "");
        RunStatus status = switch (state) {
            case "finished" -> RunStatus.COMPLETED;
            case "failed", "killed" -> RunStatus.FAILED;
            case "crashed", "preempted" -> RunStatus.CRASHED;
            default -> null;
        };
        if (status != null) {
            sink.finish(handle, status, time(node.path("heartbeatAt")));
        } else {
            sink.unmapped("run " + id + ": state \"" + state + "\" on the server, left RUNNING");
        }
        values.reportUnmapped(jsonObject(node.path("summaryMetrics")), sink);
    }

    /** The history rows of steps 0 to the last, in pages of step ranges as the SDK's HistoryScan asks for them. */
    private void history(String id, long stopStep, RunValues values, RunHandle handle) throws IOException {
        for (long from = 0; from < stopStep; from += HISTORY_PAGE) {
            JsonNode rows = runOf(query(HISTORY, Map.of("run", id, "minStep", from, "maxStep",
                    Math.min(from + HISTORY_PAGE, stopStep), "pageSize", HISTORY_PAGE)), id).path("history");
            List<MetricPointInput> points = new ArrayList<>();
            for (JsonNode line : rows) {
                JsonNode row = WandbValues.parse(line.asString());
                if (row instanceof ObjectNode object && row.path("_step").isNumber()) {
                    values.history(object, row.get("_step").asLong(), timestamp(row), points);
                }
            }
            flush(handle, points);
        }
    }

    /** The system metric rows: "system."-prefixed W&B keys, at the row's _timestamp. */
    private void events(String id, RunValues values, RunHandle handle) throws IOException {
        JsonNode rows = runOf(query(EVENTS, Map.of("name", id, "samples", EVENT_SAMPLES)), id).path("events");
        List<MetricPointInput> points = new ArrayList<>();
        int untimed = 0;
        for (JsonNode line : rows) {
            JsonNode row = WandbValues.parse(line.asString());
            Instant time = timestamp(row);
            if (time == null) {
                untimed++;
                continue;
            }
            WandbValues.forEachLeaf(row, (name, value) -> {
                if (name.startsWith("system.")) {
                    values.systemMetric(name.substring("system.".length()), value, time, points);
                }
            });
        }
        flush(handle, points);
        if (untimed > 0) {
            sink.unmapped("run " + id + ": " + untimed + " system metric rows without a _timestamp not imported");
        }
    }

    private JsonNode runOf(JsonNode data, String id) {
        JsonNode run = projectOf(data).path("run");
        if (!run.isObject()) {
            throw new ImportException("The run " + id + " of " + entity + "/" + project + " went away on " + host
                    + " during the import.");
        }
        return run;
    }

    private void flush(RunHandle handle, List<MetricPointInput> points) {
        if (!points.isEmpty()) {
            sink.points(handle, points);
        }
    }

    /** The "data" of a GraphQL answer. */
    private JsonNode query(String query, Map<String, Object> variables) throws IOException {
        Map<String, Object> all = new HashMap<>(variables);
        all.put("entity", entity);
        all.put("project", project);
        String body = WandbValues.JSON.writeValueAsString(Map.of("query", query, "variables", all));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(base + "/graphql")).timeout(Duration.ofSeconds(120))
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        } catch (IllegalArgumentException e) {
            throw new ImportException(base + " is not a URL of a W&B server: " + e.getMessage() + ".");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ImportException("Cannot reach the W&B server at " + base + ": " + e + ".", e);
        } catch (IOException e) {
            throw new ImportException("The W&B server at " + base + " stopped answering: " + e + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while reading the W&B server at " + base);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new ImportException("The W&B key was refused by " + host + " (HTTP " + status + ").");
        }
        JsonNode answer;
        try {
            answer = WandbValues.JSON.readTree(response.body());
        } catch (JacksonException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            throw new ImportException(base + " is not a W&B server: /graphql answered HTTP " + status
                    + " with no JSON object.");
        }
        JsonNode errors = answer.path("errors");
        if (status != 200 || errors.size() > 0) {
            throw new ImportException("The W&B server at " + base + " answered HTTP " + status + ": "
                    + errors.path(0).path("message").asString("no data") + ".");
        }
        return answer.path("data");
    }

    /** A JSON object the server sends as a JSON string (config, summaryMetrics), or an empty one. */
    private static ObjectNode jsonObject(JsonNode value) {
        JsonNode parsed = value.isString() ? WandbValues.parse(value.asString()) : value;
        return parsed instanceof ObjectNode object ? object : WandbValues.JSON.createObjectNode();
    }

    private static Instant timestamp(JsonNode row) {
        return row.path("_timestamp").isNumber() ? RunValues.seconds(row.get("_timestamp").asDouble()) : null;
    }

    /** The server's times, as "2023-11-05T17:46:35" (UTC) or with a zone. */
    private static Instant time(JsonNode value) {
        if (!value.isString()) {
            return null;
        }
        String text = value.asString();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException withoutZone) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /** A string field of the node; null when it is null, empty or missing. */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() && !value.asString().isEmpty() ? value.asString() : null;
    }
}
