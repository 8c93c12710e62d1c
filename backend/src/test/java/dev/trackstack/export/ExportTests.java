package dev.trackstack.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The export endpoints of docs/api.md ("Exporting"), over real HTTP. */
class ExportTests extends ApiTest {

    private static final String HEADER = "run_id,run_name,name,split,step,time,value";

    private HttpResponse<byte[]> get(int serverPort, String token, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + serverPort + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> export(String what, String query) throws Exception {
        return get(port, null, "/api/v1/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8)
                .replace("+", "%20") + "/export/" + what + "?" + query);
    }

    private List<String> csvLines(String query) throws Exception {
        HttpResponse<byte[]> response = export("points", query);
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(body).endsWith("\r\n");
        return List.of(body.split("\r\n"));
    }

    private static String code(HttpResponse<byte[]> response) {
        return JsonMapper.shared().readTree(response.body()).at("/errors/0/extensions/code").asString();
    }

    @Test
    void shouldExportEveryPointInOrderWithNonFiniteValues() throws Exception {
        String model = createModel("resnet");
        String first = createRun(model, "first, \"quoted\"", Map.of(), List.of());
        String second = createRun(model, "second", Map.of(), List.of());
        logMetrics(second, List.of(point("loss", null, 0, 1.5)), "b1").path("logMetrics.accepted").entity(Integer.class)
                .isEqualTo(1);
        logMetrics(first, List.of(point("loss", "validation", 1, "NaN"), point("loss", null, 2, "Infinity"),
                point("loss", null, 1, "-Infinity"), point("acc", null, 0, 0.1), point("loss", "validation", 0, 2.25)),
                "b2").path("logMetrics.accepted").entity(Integer.class).isEqualTo(5);

        List<String> lines = csvLines("format=csv");
        assertThat(lines.get(0)).isEqualTo(HEADER);
        // Ordered by run, name, split (none first), step; the quoted run name is one CSV field.
        List<String> rows = lines.subList(1, lines.size()).stream().map(ExportTests::withoutTime).toList();
        String quoted = "\"first, \"\"quoted\"\"\"";
        assertThat(rows).containsExactly(
                first + "," + quoted + ",acc,,0,0.1",
                first + "," + quoted + ",loss,,1,-Infinity",
                first + "," + quoted + ",loss,,2,Infinity",
                first + "," + quoted + ",loss,validation,0,2.25",
                first + "," + quoted + ",loss,validation,1,NaN",
                second + ",second,loss,,0,1.5");
        assertThat(lines.get(1)).matches(".*,\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z,0\\.1");

        assertThat(csvLines("run=" + second)).hasSize(2);
        assertThat(csvLines("run=" + first + "," + second + "&name=acc")).hasSize(2);
        assertThat(csvLines("name=loss&name=acc&split=validation")).hasSize(3);
        assertThat(csvLines("model=resnet&run=" + second)).hasSize(2);
        assertThat(csvLines("model=other")).containsExactly(HEADER);
        assertThat(csvLines("run=nonsense")).containsExactly(HEADER);

        HttpResponse<byte[]> parquet = export("points", "format=parquet");
        assertThat(parquet.statusCode()).isEqualTo(200);
        assertThat(parquet.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                disposition -> assertThat(disposition).contains("attachment").contains("-points.parquet"));
        byte[] body = parquet.body();
        assertThat(new String(Arrays.copyOfRange(body, 0, 4), StandardCharsets.US_ASCII)).isEqualTo("PAR1");
        assertThat(new String(Arrays.copyOfRange(body, body.length - 4, body.length), StandardCharsets.US_ASCII))
                .isEqualTo("PAR1");
    }

    private static String withoutTime(String line) {
        int valueAt = line.lastIndexOf(',');
        int timeAt = line.lastIndexOf(',', valueAt - 1);
        return line.substring(0, timeAt) + line.substring(valueAt);
    }

    @Test
    void shouldStreamMorePointsThanOneFetchInStepOrder() throws Exception {
        String run = createRun();
        int total = PointExport.FETCH_SIZE * 2 + 1234;
        for (int from = 0; from < total; from += 5000) {
            List<Map<String, Object>> batch = new ArrayList<>();
            // Logged back to front within each batch: the export orders by step, not by arrival.
            for (int step = Math.min(total, from + 5000) - 1; step >= from; step--) {
                batch.add(point("loss", null, step, step / 7.0));
            }
            logMetrics(run, batch, "batch-" + from).path("logMetrics.accepted").entity(Integer.class)
                    .isEqualTo(batch.size());
        }
        List<String> lines = csvLines("");
        assertThat(lines).hasSize(total + 1);
        for (int step = 0; step < total; step++) {
            String[] fields = lines.get(step + 1).split(",");
            assertThat(Long.parseLong(fields[4])).isEqualTo(step);
            assertThat(Double.parseDouble(fields[6])).isEqualTo(step / 7.0);
        }
    }

    @Test
    void shouldExportRunsWithHyperparametersTagsNotesAndSummaries() throws Exception {
        String model = createModel("resnet");
        String run = graphQl.documentName("createRun").variable("modelId", model).variable("name", "baseline")
                .variable("hyperparameters", Map.of("lr", 0.01, "optimizer", Map.of("name", "adam"),
                        "layers", List.of(1, 2)))
                .variable("tags", List.of("gpu", "v1")).variable("notes", "first try").execute()
                .path("createRun.id").entity(String.class).get();
        String other = createRun(createModel("other"), "other", Map.of(), List.of());
        logMetrics(run, List.of(point("loss", "train", 0, 2.0), point("loss", "train", 1, 1.0),
                point("loss", "train", 2, "NaN"), point("acc", null, 0, 0.5)), "b").path("logMetrics.accepted")
                .entity(Integer.class).isEqualTo(4);

        HttpResponse<byte[]> response = export("runs", "model=resnet");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode runs = JsonMapper.shared().readTree(response.body());
        assertThat(runs.size()).isEqualTo(1);
        JsonNode exported = runs.get(0);
        assertThat(exported.get("id").asString()).isEqualTo(run);
        assertThat(exported.get("name").asString()).isEqualTo("baseline");
        assertThat(exported.get("model").asString()).isEqualTo("resnet");
        assertThat(exported.get("status").asString()).isEqualTo("RUNNING");
        assertThat(exported.get("finishedAt").isNull()).isTrue();
        assertThat(exported.get("createdAt").asString()).matches("\\d{4}-.*\\.\\d{6}Z");
        assertThat(exported.at("/hyperparameters/optimizer/name").asString()).isEqualTo("adam");
        assertThat(exported.get("tags").toString()).isEqualTo("[\"gpu\",\"v1\"]");
        assertThat(exported.get("notes").asString()).isEqualTo("first try");
        JsonNode loss = exported.get("summaries").get(1);
        assertThat(exported.get("summaries").get(0).get("name").asString()).isEqualTo("acc");
        assertThat(loss.get("split").asString()).isEqualTo("train");
        assertThat(loss.get("count").asLong()).isEqualTo(3);
        assertThat(loss.get("last").asString()).isEqualTo("NaN");
        assertThat(loss.get("lastStep").asLong()).isEqualTo(2);
        assertThat(loss.get("min").asDouble()).isEqualTo(1.0);
        assertThat(loss.get("max").asDouble()).isEqualTo(2.0);

        assertThat(JsonMapper.shared().readTree(export("runs", "run=" + other).body()).size()).isEqualTo(1);
        assertThat(JsonMapper.shared().readTree(export("runs", "").body()).size()).isEqualTo(2);

        String csv = new String(export("runs", "format=csv&run=" + run).body(), StandardCharsets.UTF_8);
        List<String> lines = List.of(csv.split("\r\n"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("id,name,model,kind,status,createdAt,finishedAt,tags,notes,"
                + "hp.layers,hp.lr,hp.optimizer.name,"
                + "acc.last,acc.min,acc.max,acc.count,loss/train.last,loss/train.min,loss/train.max,loss/train.count");
        assertThat(withoutCreatedAt(lines.get(1))).isEqualTo(run + ",baseline,resnet,TRAINING,RUNNING,,gpu;v1,first try,"
                + "\"[1,2]\",0.01,adam,0.5,0.5,0.5,1,NaN,1.0,2.0,3");
    }

    private static String withoutCreatedAt(String line) {
        List<String> fields = new ArrayList<>(List.of(line.split(",", -1)));
        assertThat(fields.remove(5)).matches("\\d{4}-.*Z");
        return String.join(",", fields);
    }

    @Test
    void shouldRefuseBadFormatsAndUnknownProjects() throws Exception {
        createRun();
        for (String what : List.of("points", "runs")) {
            HttpResponse<byte[]> bad = export(what, "format=xlsx");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(code(bad)).isEqualTo("BAD_USER_INPUT");
            HttpResponse<byte[]> nul = export(what, "model=a%00b");
            assertThat(nul.statusCode()).isEqualTo(400);
            assertThat(code(nul)).isEqualTo("BAD_USER_INPUT");
            HttpResponse<byte[]> unknown = get(port, null, "/api/v1/projects/no-such-project/export/" + what);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(code(unknown)).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void shouldKeepExportsToTokensOfTheProject() throws Exception {
        SecuredServer server = SecuredServer.on(sameDatabase());
        createRun();
        String own = server.createToken("READ", List.of(project));
        String other = server.createToken("READ", List.of(project + "-other"));
        for (String what : List.of("points", "runs")) {
            String path = "/api/v1/projects/" + project + "/export/" + what;
            assertThat(get(server.port(), own, path).statusCode()).isEqualTo(200);
            HttpResponse<byte[]> refused = get(server.port(), other, path);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(code(refused)).isEqualTo("FORBIDDEN");
            // Another project's token learns nothing of whether a project exists.
            assertThat(get(server.port(), other, "/api/v1/projects/no-such-project/export/" + what).statusCode())
                    .isEqualTo(403);
            assertThat(get(server.port(), null, path).statusCode()).isEqualTo(401);
        }
    }
}
