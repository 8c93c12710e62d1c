package dev.trackstack.importer.mlflow;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.importer.ImportException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A running MLflow server, through its REST API 2.0: experiments/search, runs/search and metrics/get-history, each
 * followed page by page; a token goes as {@code Authorization: Bearer}.
 */
final class ServerStore implements MlflowStore {

    private static final int PAGE = 1000;
    /** The most points one get-history page may ask for (MLflow's server allows 25,000). */
    private static final int HISTORY_PAGE = 25_000;

    private final String base;
    private final String token;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    ServerStore(URI server, String token, JsonMapper json) {
        this.base = server.toString().replaceAll("/+$", "");
        this.token = token;
        this.json = json;
    }

    @Override
    public void read(MlflowImport target) throws IOException {
        List<MlflowRun.Experiment> experiments = new ArrayList<>();
        String page = null;
        do {
            ObjectNode body = json.createObjectNode().put("max_results", PAGE).put("view_type", "ALL");
            JsonNode answer = post("experiments/search", page == null ? body : body.put("page_token", page));
            for (JsonNode experiment : answer.path("experiments")) {
                experiments.add(new MlflowRun.Experiment(experiment.path("experiment_id").asString(),
                        experiment.path("name").asString(), "deleted".equals(experiment.path("lifecycle_stage")
                                .asString()), experiment.path("tags").size()));
            }
            page = next(answer);
        } while (page != null);
        experiments.sort(MlflowRun.Experiment.ORDER);
        for (MlflowRun.Experiment experiment : experiments) {
            if (experiment.deleted()) {
                target.skip(experiment, "deleted in MLflow");
                continue;
            }
            target.experiment(experiment);
            Map<String, List<String>> metricKeys = new HashMap<>();
            for (MlflowRun run : runs(experiment.id(), metricKeys)) {
                target.run(experiment, run, points -> history(run.id(), metricKeys.get(run.id()), points));
            }
        }
    }

    /** The experiment's runs (deleted ones too, to report them), and the metric keys of each into {@code keys}. */
    private List<MlflowRun> runs(String experimentId, Map<String, List<String>> keys) throws IOException {
        List<MlflowRun> runs = new ArrayList<>();
        String page = null;
        do {
            ObjectNode body = json.createObjectNode().put("max_results", PAGE).put("run_view_type", "ALL");
            body.putArray("experiment_ids").add(experimentId);
            JsonNode answer = post("runs/search", page == null ? body : body.put("page_token", page));
            for (JsonNode run : answer.path("runs")) {
                JsonNode info = run.path("info");
                String id = info.path("run_id").asString(info.path("run_uuid").asString());
                runs.add(new MlflowRun(id, info.path("run_name").asString(null), info.path("status").asString(""),
                        millis(info.path("start_time")), millis(info.path("end_time")),
                        "deleted".equals(info.path("lifecycle_stage").asString()),
                        info.path("artifact_uri").asString(null), pairs(run.path("data").path("params")),
                        pairs(run.path("data").path("tags"))));
                keys.put(id, run.path("data").path("metrics").valueStream().map(m -> m.path("key").asString())
                        .sorted().distinct().toList());
            }
            page = next(answer);
        } while (page != null);
        runs.sort(MlflowRun.ORDER);
        return runs;
    }

    private void history(String runId, List<String> keys, MlflowImport.Points points) throws IOException {
        for (String key : keys) {
            String page = null;
            do {
                JsonNode answer = get("metrics/get-history?run_id=" + encode(runId) + "&metric_key=" + encode(key)
                        + "&max_results=" + HISTORY_PAGE + (page == null ? "" : "&page_token=" + encode(page)));
                for (JsonNode metric : answer.path("metrics")) {
                    JsonNode value = metric.path("value");
                    Long step = millis(metric.path("step"));
                    // NaN and infinities come as the strings "NaN", "Infinity" and "-Infinity"; protobuf's JSON may
                    // leave out a field that is 0.
                    points.add(key, step == null ? 0 : step, value.isMissingNode() ? 0 : value.isNumber()
                            ? value.doubleValue() : MlflowImport.value(value.asString()),
                            millis(metric.path("timestamp")));
                }
                page = next(answer);
            } while (page != null);
        }
    }

    private JsonNode post(String path, ObjectNode body) throws IOException {
        return send(path, request(path).POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .header("Content-Type", "application/json").build());
    }

    private JsonNode get(String path) throws IOException {
        return send(path, request(path).GET().build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow/" + path));
        } catch (IllegalArgumentException e) {
            throw new ImportException("\"" + base + "\" is not a URL of an MLflow server: " + e.getMessage() + ".");
        }
        request.timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private JsonNode send(String path, HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new ImportException("Cannot reach the MLflow server at " + base + ": " + e + ".", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while reading the MLflow server at " + base);
        }
        String endpoint = path.replaceAll("\\?.*", "");
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new ImportException("The MLflow server at " + base + " refused " + (token == null
                    ? "to answer without a token (HTTP " + status + "): give one as apiKey."
                    : "the token given as apiKey (HTTP " + status + ")."));
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (JacksonException e) {
            answer = null;
        }
        if (status == 404 || answer == null || !answer.isObject()) {
            throw new ImportException(base + " is not an MLflow server: " + endpoint + " answered HTTP " + status
                    + (answer == null ? " with no JSON." : "."));
        }
        if (status != 200) {
            throw new ImportException("The MLflow server at " + base + " answered HTTP " + status + " to " + endpoint
                    + ": " + answer.path("message").asString(answer.path("error_code").asString("")) + ".");
        }
        return answer;
    }

    private static Map<String, String> pairs(JsonNode list) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (JsonNode pair : list) {
            pairs.put(pair.path("key").asString(), pair.path("value").asString(""));
        }
        return pairs;
    }

    /** A page token, or null on the last page. */
    private static String next(JsonNode answer) {
        String token = answer.path("next_page_token").asString("");
        return token.isEmpty() ? null : token;
    }

    /** An int64 (milliseconds, a step) as MLflow answers it: a JSON number or a string (protobuf's JSON). */
    private static Long millis(JsonNode value) {
        return value.isNumber() || value.isString() ? Long.valueOf(value.asString()) : null;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
