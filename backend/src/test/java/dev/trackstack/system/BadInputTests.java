package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.trackstack.ApiTest;
import dev.trackstack.WebSockets;
import org.junit.jupiter.api.Test;

/** Input that once answered INTERNAL or 500, or was stored altered; each case was found by {@link FuzzTests}. */
class BadInputTests extends ApiTest {

    @Test
    void shouldRejectTextWithNulInEveryArgument() {
        String model = createModel("m");
        String run = createRun(model, "r", Map.of(), List.of());
        String nul = "a\u0000b";
        assertThat(errorCode(graphQl.documentName("createModel").variable("project", project)
                .variable("name", nul).execute(), "BAD_USER_INPUT")).contains("'name' of createModel");
        errorCode(graphQl.documentName("createRun").variable("modelId", model).variable("name", nul).execute(),
                "BAD_USER_INPUT");
        errorCode(graphQl.documentName("createRun").variable("modelId", model).variable("tags", List.of(nul))
                .execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("createRun").variable("modelId", model)
                .variable("hyperparameters", Map.of(nul, 1)).execute(), "BAD_USER_INPUT");
        errorCode(logMetrics(run, List.of(point(nul, null, 0, 1.0)), null), "BAD_USER_INPUT");
        errorCode(logMetrics(run, List.of(point("loss", null, 0, 1.0)), nul), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("runs").variable("filter", Map.of("nameContains", nul)).execute(),
                "BAD_USER_INPUT");

        assertThat(jdbc.queryForObject("select count(*) from run where model_id = ?", Long.class,
                Long.parseLong(model))).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from metric_series where run_id = ?", Long.class,
                Long.parseLong(run))).isZero();
    }

    /** Written as JSON escapes: a client's JSON encoder would not send a lone surrogate as raw text. */
    @Test
    void shouldRejectAnUnpairedSurrogateInsteadOfStoringAQuestionMark() throws Exception {
        String model = createModel("m");
        for (String variables : List.of("{\"name\": \"a\\ud800\"}", "{\"name\": \"\\udc00b\"}",
                "{\"h\": {\"optimizer\": [\"\\ud83d\"]}}")) {
            HttpResponse<String> response = postGraphQl(port, "{\"query\": \"mutation($name: String, $h: JSON) { "
                    + "createRun(modelId: \\\"" + model + "\\\", name: $name, hyperparameters: $h) { id } }\", "
                    + "\"variables\": " + variables + "}");
            assertThat(response.body()).as(variables).contains("BAD_USER_INPUT", "unpaired surrogate");
        }
        assertThat(jdbc.queryForObject("select count(*) from run where model_id = ?", Long.class,
                Long.parseLong(model))).isZero();
    }

    @Test
    void shouldTakeNullsInsideAJsonLiteral() {
        String model = createModel("m");
        // Inline: the literal in the document is what is tested.
        graphQl.document("mutation($id: ID!) { createRun(modelId: $id, hyperparameters: {a: null, b: [null, 1]}) "
                + "{ hyperparameters } }").variable("id", model).execute()
                .path("createRun.hyperparameters.a").valueIsNull()
                .path("createRun.hyperparameters.b").entityList(Object.class).containsExactly(null, 1);
    }

    @Test
    void shouldKeepTextWithPairedSurrogatesAsItIs() {
        String model = createModel("emoji \ud83d\ude00");
        graphQl.documentName("model").variable("id", model).execute()
                .path("model.name").entity(String.class).isEqualTo("emoji \ud83d\ude00");
    }

    @Test
    void shouldRejectHyperparametersBeyondTheDoubleRange() throws Exception {
        String model = createModel("m");
        HttpResponse<String> response = postGraphQl(port, "{\"query\": \"mutation($h: JSON) { createRun(modelId: "
                + "\\\"" + model + "\\\", hyperparameters: $h) { id } }\", \"variables\": {\"h\": {\"lr\": 1e400}}}");
        assertThat(response.body()).contains("BAD_USER_INPUT", "out of range");

        // As an integer, or written inline, the same: inline, it was kept as a 401-digit number.
        String ten400 = "1" + "0".repeat(400);
        assertThat(postGraphQl(port, "{\"query\": \"mutation($h: JSON) { createRun(modelId: \\\"" + model
                + "\\\", hyperparameters: $h) { id } }\", \"variables\": {\"h\": {\"lr\": " + ten400 + "}}}").body())
                .contains("BAD_USER_INPUT", "out of range");
        // Written inline, refused before the run is looked at: see QueryLimitsTests.
        assertThat(jdbc.queryForObject("select count(*) from run where model_id = ?", Long.class,
                Long.parseLong(model))).isZero();
    }

    @Test
    void shouldCloseAWebSocketWithAMalformedMessageWith4400() throws Exception {
        for (String message : List.of("not json", "null", "[1]", "{\"type\": \"nonsense\"}", "{\"id\": \"1\"}",
                "{\"type\": \"subscribe\", \"id\": \"1\"}",
                "{\"type\": \"subscribe\", \"payload\": {\"query\": \"{ projects { name } }\"}}",
                "{\"type\": \"subscribe\", \"id\": \"1\", \"payload\": 5}",
                "{\"type\": \"subscribe\", \"id\": \"1\", \"payload\": {}}")) {
            WebSockets socket = WebSockets.open(port).send("{\"type\": \"connection_init\"}");
            assertThat(socket.received.get(10, TimeUnit.SECONDS)).contains("connection_ack");
            socket.send(message);
            assertThat(socket.closed.get(10, TimeUnit.SECONDS)).as(message).isEqualTo(4400);
        }
        assertThat(WebSockets.open(port).send("not json either").closed.get(10, TimeUnit.SECONDS)).isEqualTo(4400);
    }
}
