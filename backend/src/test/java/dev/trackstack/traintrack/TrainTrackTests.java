package dev.trackstack.traintrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** TrainTrack's REST API (docs/traintrack.md) on the real server: shapes, ids, errors, access, and the series. */
class TrainTrackTests extends ApiTest {

    private static final JsonMapper JSON = JsonMapper.shared();

    @Test
    void shouldLogLossesAndMetricsIntoSeriesThatGraphQlReads() throws Exception {
        JsonNode model = ok(post("/models/", Map.of("name", "ResNet50", "project_name", project)));
        assertThat(model.get("name").stringValue()).isEqualTo("ResNet50");
        assertThat(model.get("project_name").stringValue()).isEqualTo(project);
        assertThat(ok(post("/models/", Map.of("name", "ResNet50", "project_name", project))).get("id"))
                .as("registering again answers the same model").isEqualTo(model.get("id"));
        JsonNode run = ok(post("/runs/", Map.of("model_id", model.get("id").stringValue(),
                "hyperparameters", Map.of("lr", 0.001, "batch_size", 32))));
        String runId = run.get("id").stringValue();
        assertThat(run.get("status").stringValue()).isEqualTo("running");
        assertThat(run.get("model_id")).isEqualTo(model.get("id"));
        assertThat(run.get("hyperparameters").get("batch_size").intValue()).isEqualTo(32);

        // The UUID holds our key: the same run through GraphQL.
        String key = key(runId);
        graphQl.document("query($id: ID!) { run(id: $id) { model { name project { name } } } }")
                .variable("id", key).execute().path("run.model.name").entity(String.class).isEqualTo("ResNet50")
                .path("run.model.project.name").entity(String.class).isEqualTo(project);

        JsonNode loss = ok(post("/loss/", Map.of("run_id", runId, "step", 1, "split", "train", "value", 2.345)));
        assertThat(loss.get("value").doubleValue()).isEqualTo(2.345);
        assertThat(loss.has("created_at")).isTrue();
        ok(post("/loss/batch", List.of(Map.of("run_id", runId, "step", 2, "split", "train", "value", 1.5),
                Map.of("run_id", runId, "step", 2, "split", "validation", "value", 1.9))));
        ok(post("/metric/", Map.of("run_id", runId, "step", 2, "split", "validation", "metric_name", "accuracy",
                "value", 0.87)));
        ok(post("/metric/batch", List.of(Map.of("run_id", runId, "step", 2, "split", "validation",
                "metric_name", "f1-score", "value", 0.8))));

        JsonNode losses = ok(get("/loss/?run_id=" + runId + "&split=train"));
        assertThat(losses.findValues("step").stream().map(JsonNode::longValue)).containsExactly(1L, 2L);
        assertThat(losses.findValues("value").stream().map(JsonNode::doubleValue)).containsExactly(2.345, 1.5);
        assertThat(ok(get("/loss/?run_id=" + runId + "&limit=1")).size()).isEqualTo(1);
        JsonNode metrics = ok(get("/metric/?run_id=" + runId + "&metric_name=accuracy"));
        assertThat(metrics.size()).isEqualTo(1);
        assertThat(metrics.get(0).get("metric_name").stringValue()).isEqualTo("accuracy");
        assertThat(ok(get("/metric/?run_id=" + runId)).size()).isEqualTo(2);

        graphQl.document("query($r: [ID!]!) { series(runIds: $r) { name split points { step value } } }")
                .variable("r", List.of(key)).execute()
                .path("series[*].name").entityList(String.class)
                .containsExactly("accuracy", "f1-score", "loss", "loss")
                .path("series[2].split").entity(String.class).isEqualTo("train")
                .path("series[2].points[*].step").entityList(Long.class).containsExactly(1L, 2L)
                .path("series[2].points[*].value").entityList(Double.class).containsExactly(2.345, 1.5)
                .path("series[0].points[0].value").entity(Double.class).isEqualTo(0.87);

        assertThat(ok(get("/runs/runbymodels/" + model.get("id").stringValue())).findValuesAsString("id"))
                .containsExactly(runId);
        assertThat(ok(get("/runs/runbyproject/" + project)).findValuesAsString("id")).containsExactly(runId);
        assertThat(ok(get("/models/")).findValuesAsString("id")).contains(model.get("id").stringValue());
    }

    @Test
    void shouldAnswerBadInputWith422AndUnknownIdsWith404StoringNothing() throws Exception {
        JsonNode model = ok(post("/models/", Map.of("name", "m", "project_name", project)));
        String modelId = model.get("id").stringValue();
        String runId = ok(post("/runs/", Map.of("model_id", modelId))).get("id").stringValue();

        error(post("/loss/", Map.of("run_id", runId, "step", 1, "value", 2.0)), 422, "split is required");
        error(post("/loss/", Map.of("run_id", runId, "step", 1, "split", "test", "value", 2.0)), 422,
                "split must be one of");
        error(post("/loss/", Map.of("run_id", runId, "step", "one", "split", "train", "value", 2.0)), 422,
                "step must be an integer");
        error(post("/loss/", Map.of("run_id", runId, "step", -1, "split", "train", "value", 2.0)), 422, "step");
        error(post("/metric/", Map.of("run_id", runId, "step", 1, "split", "train", "metric_name", "bleu",
                "value", 2.0)), 422, "metric_name must be one of");
        error(send("POST", "/loss/", "{not json"), 422, "The body must be JSON");
        error(send("POST", "/loss/batch", "{\"a\": 1, \"b\": 2}"), 422, "JSON array");
        error(post("/runs/", Map.of("model_id", "not-a-uuid")), 422, "model_id must be a UUID");
        error(post("/runs/", Map.of("model_id", modelId, "hyperparameters", List.of(1))), 422, "JSON object");
        error(get("/loss/"), 422, "run_id is required");
        error(get("/loss/?run_id=" + runId + "&limit=abc"), 422, "limit must be an integer");
        error(send("PATCH", "/runs/update_status", JSON.writeValueAsString(Map.of("run_id", runId,
                "new_status", "paused"))), 422, "new_status must be one of");
        // A batch with one bad point stores none of it.
        error(post("/loss/batch", List.of(Map.of("run_id", runId, "step", 5, "split", "train", "value", 1.0),
                Map.of("run_id", runId, "step", 6, "split", "train"))), 422, "Point [1]: value is required");
        error(post("/loss/batch", List.of(Map.of("run_id", runId, "step", 5, "split", "train", "value", 1.0),
                Map.of("run_id", "3f2b8c1e-9d4a-4e7b-8a6c-2d1e0f9b7a55", "step", 6, "split", "train", "value", 1.0))),
                404, "No run");
        assertThat(ok(get("/loss/?run_id=" + runId)).size()).isZero();
        // Bodies over trackstack.limits.request-bytes are refused before they are read, PATCH as POST.
        HttpResponse<String> tooLarge = send("PATCH", "/runs/update_status", "{\"run_id\": \"" + runId
                + "\", \"pad\": \"" + "x".repeat(17 * 1024 * 1024) + "\"}");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("LIMIT_EXCEEDED");

        // Well-formed UUIDs that are none of ours, and a run's id where a model's belongs, name nothing.
        String stranger = "3f2b8c1e-9d4a-4e7b-8a6c-2d1e0f9b7a55";
        error(post("/runs/", Map.of("model_id", stranger)), 404, "No model");
        error(post("/runs/", Map.of("model_id", runId)), 404, "No model");
        error(post("/loss/", Map.of("run_id", modelId, "step", 1, "split", "train", "value", 1.0)), 404, "No run");
        error(get("/runs/runbymodels/" + stranger), 404, "No model");
        error(get("/runs/runbyproject/no-such-project-" + project), 404, "No project");
        error(send("DELETE", "/models/whatever", null), 404, "No model");
        assertThat(jdbc.queryForObject("select count(*) from run r join model m on m.id = r.model_id "
                + "join project p on p.id = m.project_id where p.name = ?", Long.class, project)).isEqualTo(1L);
    }

    @Test
    void shouldUpdateStatusAndDeleteAsTrainTrackDoes() throws Exception {
        String modelId = ok(post("/models/", Map.of("name", "m", "project_name", project))).get("id").stringValue();
        String first = ok(post("/runs/", Map.of("model_id", modelId))).get("id").stringValue();
        String second = ok(post("/runs/", Map.of("model_id", modelId))).get("id").stringValue();
        String third = ok(post("/runs/", Map.of("model_id", modelId))).get("id").stringValue();

        JsonNode updated = ok(send("PATCH", "/runs/update_status", JSON.writeValueAsString(
                Map.of("run_id", first, "new_status", "completed"))));
        assertThat(updated.get("status").stringValue()).isEqualTo("completed");
        graphQl.document("query($id: ID!) { run(id: $id) { status finishedAt } }").variable("id", key(first))
                .execute().path("run.status").entity(String.class).isEqualTo("COMPLETED")
                .path("run.finishedAt").hasValue();

        assertThat(ok(send("DELETE", "/runs/" + first + "," + second, null)).get("detail").stringValue())
                .isEqualTo("2 runs deleted");
        error(send("DELETE", "/runs/" + first, null), 404, "No run");
        assertThat(ok(get("/runs/runbymodels/" + modelId)).findValuesAsString("id")).containsExactly(third);

        assertThat(ok(send("DELETE", "/models/project/" + project, null)).get("detail").stringValue())
                .contains("1 model(s)");
        error(get("/runs/runbyproject/" + project), 404, "No project");
        assertThat(jdbc.queryForObject("select count(*) from run where id = ?", Long.class, Long.parseLong(key(third))))
                .isZero();
        // The project itself stays: it may hold prompts, traces and evals that TrainTrack knows nothing of.
        assertThat(jdbc.queryForObject("select count(*) from project where name = ?", Long.class, project))
                .isEqualTo(1L);
    }

    @Test
    void shouldFollowApiTokensAsGraphQlDoes() throws Exception {
        SecuredServer server = SecuredServer.on(sameDatabase());
        String other = project + "-other";
        URI models = server.uri("/traintrack/models/");
        String body = JSON.writeValueAsString(Map.of("name", "m", "project_name", project));

        assertThat(send(models, "POST", body, null).statusCode()).isEqualTo(401);
        assertThat(send(models, "POST", body, server.createToken("READ", null)).statusCode()).isEqualTo(403);
        String token = server.createToken("WRITE", List.of(project));
        HttpResponse<String> created = send(models, "POST", body, token);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(send(models, "POST", JSON.writeValueAsString(Map.of("name", "m", "project_name", other)), token)
                .statusCode()).isEqualTo(403);

        // Another project's model is absent to this token.
        String otherModel = JSON.readTree(send(models, "POST", JSON.writeValueAsString(
                Map.of("name", "m", "project_name", other)), server.createToken("WRITE", null)).body())
                .get("id").stringValue();
        assertThat(send(server.uri("/traintrack/runs/runbymodels/" + otherModel), "GET", null, token).statusCode())
                .isEqualTo(404);
        assertThat(JSON.readTree(send(models, "GET", null, token).body()).findValuesAsString("project_name"))
                .containsOnly(project);
    }

    private static String key(String uuid) {
        return String.valueOf(TrainTrackIds.RUN.parse(uuid));
    }

    private HttpResponse<String> post(String path, Object body) throws Exception {
        return send("POST", path, JSON.writeValueAsString(body));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(URI.create("http://localhost:" + port + "/traintrack" + path), method, body, null);
    }

    private static HttpResponse<String> send(URI uri, String method, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static void error(HttpResponse<String> response, int status, String detail) {
        assertThat(response.statusCode()).as(response.uri() + " " + response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("detail").stringValue()).contains(detail);
        assertThat(body.get("code").stringValue()).isEqualTo(status == 404 ? "NOT_FOUND" : "BAD_USER_INPUT");
    }
}
