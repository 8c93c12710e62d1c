package dev.trackstack.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class EvalResultTests extends EvalTest {

    @Test
    void shouldMakeAnEvalRunARunOfKindEval() {
        Version v = dataset("d", 3);
        String model = createModel("m");
        GraphQlTester.Response created = graphQl.documentName("createEvalRun").variable("modelId", model)
                .variable("datasetVersionId", v.id()).variable("name", "gpt-4o baseline")
                .variable("promptName", "qa").variable("promptVersion", 3)
                .variable("settings", Map.of("model", "gpt-4o", "temperature", 0.2)).variable("tags", List.of("nightly"))
                .variable("repetitions", 2).execute();
        created.path("createEvalRun.kind").entity(String.class).isEqualTo("EVAL")
                .path("createEvalRun.hyperparameters.temperature").entity(Double.class).isEqualTo(0.2)
                .path("createEvalRun.evaluation.datasetVersion.id").entity(String.class).isEqualTo(v.id())
                .path("createEvalRun.evaluation.promptName").entity(String.class).isEqualTo("qa")
                .path("createEvalRun.evaluation.promptVersion").entity(Integer.class).isEqualTo(3)
                .path("createEvalRun.evaluation.settings.model").entity(String.class).isEqualTo("gpt-4o")
                .path("createEvalRun.evaluation.aggregates.expected").entity(Integer.class).isEqualTo(6);
        String eval = created.path("createEvalRun.id").entity(String.class).get();
        String training = createRun(model, "train", Map.of(), List.of());
        graphQl.documentName("evalRuns").variable("project", project)
                .variable("filter", Map.of("kinds", List.of("EVAL"))).execute()
                .path("runs.edges[*].node.id").entityList(String.class).containsExactly(eval);
        graphQl.documentName("evalRuns").variable("project", project)
                .variable("filter", Map.of("kinds", List.of("TRAINING"))).execute()
                .path("runs.edges[*].node.id").entityList(String.class).containsExactly(training)
                .path("runs.edges[0].node.evaluation").valueIsNull();

        errorCode(graphQl.documentName("createEvalRun").variable("modelId", model).variable("datasetVersionId", "999999999")
                .execute(), "NOT_FOUND");
        String otherProject = project;
        project = project + "-other";
        Version elsewhere = dataset("d", 1);
        project = otherProject;
        assertThat(errorCode(graphQl.documentName("createEvalRun").variable("modelId", model)
                .variable("datasetVersionId", elsewhere.id()).execute(), "NOT_FOUND")).contains("model's project");
        errorCode(graphQl.documentName("createEvalRun").variable("modelId", model).variable("datasetVersionId", v.id())
                .variable("repetitions", 0).execute(), "LIMIT_EXCEEDED");
        assertThat(errorCode(logResults(training, List.of(result(v.itemIds().get(0), "x"))), "NOT_EVAL_RUN"))
                .contains(training);
    }

    @Test
    void shouldReplaceAResultLoggedAgainAndKeepAggregatesAsSummaries() {
        Version v = dataset("d", 4);
        String run = createEvalRun(createModel("m"), v.id(), "r");
        List<String> ids = v.itemIds();
        logResults(run, List.of(result(ids.get(0), "a0", score("exact", true), score("f1", 0.5)),
                result(ids.get(1), "wrong", score("exact", false), score("f1", 0.25))))
                .path("logEvalResults.results").entity(Integer.class).isEqualTo(2)
                .path("logEvalResults.scores").entity(Integer.class).isEqualTo(4)
                .path("logEvalResults.aggregates.items").entity(Integer.class).isEqualTo(2);
        // The retry of item 1 replaces its result; item 2 errors.
        Map<String, Object> failed = result(ids.get(2), null);
        failed.put("error", "timeout");
        GraphQlTester.Response retried = logResults(run, List.of(result(ids.get(1), "a1", score("exact", true),
                score("f1", 1.0)), failed));
        retried.path("logEvalResults.aggregates.items").entity(Integer.class).isEqualTo(3)
                .path("logEvalResults.aggregates.errored").entity(Integer.class).isEqualTo(1)
                .path("logEvalResults.aggregates.expected").entity(Integer.class).isEqualTo(4)
                .path("logEvalResults.aggregates.scores[*].name").entityList(String.class).containsExactly("exact", "f1")
                .path("logEvalResults.aggregates.scores[0].type").entity(String.class).isEqualTo("BOOLEAN")
                .path("logEvalResults.aggregates.scores[0].mean").entity(Double.class).isEqualTo(1.0)
                .path("logEvalResults.aggregates.scores[0].passRate").entity(Double.class).isEqualTo(1.0)
                .path("logEvalResults.aggregates.scores[1].mean").entity(Double.class).isEqualTo(0.75)
                .path("logEvalResults.aggregates.scores[1].passRate").valueIsNull();
        assertThat(jdbc.queryForObject("select count(*) from eval_result where run_id = ?", Integer.class,
                Long.parseLong(run))).isEqualTo(3);

        List<Map> summaries = graphQl.documentName("evalRun").variable("id", run).execute()
                .path("run.summaries").entityList(Map.class).get();
        assertThat(summaries).extracting(s -> s.get("name") + ":" + s.get("split") + "=" + s.get("last"))
                .contains("eval/items:null=3.0", "eval/errored:null=1.0", "score/f1:mean=0.75", "score/f1:count=2.0",
                        "score/exact:pass_rate=1.0", "score/exact:mean=1.0");
    }

    @Test
    void shouldSortAndFilterRunsByTheirAggregates() {
        Version v = dataset("d", 2);
        String model = createModel("m");
        String good = createEvalRun(model, v.id(), "good");
        String bad = createEvalRun(model, v.id(), "bad");
        logResults(good, List.of(result(v.itemIds().get(0), "x", score("acc", 0.9)),
                result(v.itemIds().get(1), "x", score("acc", 0.7))));
        logResults(bad, List.of(result(v.itemIds().get(0), "x", score("acc", 0.1))));
        Map<String, Object> metric = Map.of("name", "score/acc", "split", "mean");
        graphQl.documentName("evalRuns").variable("project", project)
                .variable("orderBy", List.of(Map.of("field", "METRIC", "direction", "DESC", "metric", metric)))
                .execute().path("runs.edges[*].node.id").entityList(String.class).containsExactly(good, bad);
        Map<String, Object> filter = new HashMap<>(metric);
        filter.put("op", "GT");
        filter.put("value", 0.5);
        graphQl.documentName("evalRuns").variable("project", project).variable("filter", Map.of("metrics",
                List.of(filter))).execute().path("runs.edges[*].node.id").entityList(String.class).containsExactly(good);
    }

    @Test
    void shouldCheckScoresAgainstTheirConfigAndInferUnknownOnes() {
        Version v = dataset("d", 3);
        String run = createEvalRun(createModel("m"), v.id(), "r");
        String item = v.itemIds().get(0);
        Map<String, Object> config = new HashMap<>(Map.of("name", "rating", "type", "NUMERIC", "min", 1.0, "max", 5.0,
                "passThreshold", 4.0));
        graphQl.documentName("setScoreConfig").variable("project", project).variable("config", config).execute()
                .path("setScoreConfig.inferred").entity(Boolean.class).isEqualTo(false)
                .path("setScoreConfig.higherIsBetter").entity(Boolean.class).isEqualTo(true);
        graphQl.documentName("setScoreConfig").variable("project", project).variable("config", Map.of("name", "tone",
                "type", "CATEGORICAL", "categories", List.of("polite", "neutral", "rude"),
                "passCategories", List.of("polite", "neutral"))).execute();

        assertThat(errorCode(logResults(run, List.of(result(item, "x", score("rating", 6.0)))), "INVALID_SCORE"))
                .contains("outside");
        assertThat(errorCode(logResults(run, List.of(result(item, "x", score("rating", true)))), "INVALID_SCORE"))
                .contains("NUMERIC");
        assertThat(errorCode(logResults(run, List.of(result(item, "x", score("tone", "angry")))), "INVALID_SCORE"))
                .contains("angry");
        Map<String, Object> both = score("rating", 4.0);
        both.put("category", "polite");
        assertThat(errorCode(logResults(run, List.of(result(item, "x", both))), "INVALID_SCORE"))
                .contains("exactly one");
        assertThat(jdbc.queryForObject("select count(*) from eval_result where run_id = ?", Integer.class,
                Long.parseLong(run))).isZero();

        logResults(run, List.of(result(item, "x", score("rating", 5.0), score("tone", "rude"), score("novel", "a")),
                result(v.itemIds().get(1), "y", score("rating", 2.0), score("tone", "polite"))));
        // "novel" got a config from its first score; it is now CATEGORICAL.
        graphQl.documentName("scoreConfigs").variable("project", project).execute()
                .path("scoreConfigs[*].name").entityList(String.class).containsExactly("novel", "rating", "tone")
                .path("scoreConfigs[0].type").entity(String.class).isEqualTo("CATEGORICAL")
                .path("scoreConfigs[0].inferred").entity(Boolean.class).isEqualTo(true);
        errorCode(logResults(run, List.of(result(item, "x", score("novel", 1.0)))), "INVALID_SCORE");

        // A human's score counts over the code's; logging it again replaces it.
        Map<String, Object> human = new HashMap<>(Map.of("itemId", v.itemIds().get(1), "name", "rating", "value", 3.0,
                "source", "HUMAN", "explanation", "partly right"));
        graphQl.documentName("logScores").variable("runId", run).variable("scores", List.of(human)).execute();
        human.put("value", 4.0);
        GraphQlTester.Response scored = graphQl.documentName("logScores").variable("runId", run)
                .variable("scores", List.of(human)).execute();
        scored.path("logScores.scores").entity(Integer.class).isEqualTo(1)
                .path("logScores.aggregates.scores[1].name").entity(String.class).isEqualTo("rating")
                .path("logScores.aggregates.scores[1].mean").entity(Double.class).isEqualTo(4.5)
                .path("logScores.aggregates.scores[1].passRate").entity(Double.class).isEqualTo(1.0)
                .path("logScores.aggregates.scores[2].passRate").entity(Double.class).isEqualTo(0.5)
                .path("logScores.aggregates.scores[2].categories[*].count").entityList(Integer.class)
                .containsExactly(1, 1);
        assertThat(jdbc.queryForObject("select count(*) from eval_score where run_id = ? and name = 'rating'",
                Integer.class, Long.parseLong(run))).isEqualTo(3);
        graphQl.documentName("evalResults").variable("runId", run).variable("filter", Map.of("scoreName", "rating",
                "minScore", 4.0)).execute()
                .path("evalResults.totalCount").entity(Integer.class).isEqualTo(2)
                .path("evalResults.edges[1].node.scores[?(@.name == 'rating')].source").entityList(String.class)
                .containsExactly("HUMAN", "CODE")
                .path("evalResults.edges[1].node.scores[?(@.source == 'HUMAN')].explanation").entityList(String.class)
                .containsExactly("partly right");
        // A score for an item without a result yet is kept; an item outside the dataset version is refused.
        graphQl.documentName("logScores").variable("runId", run).variable("scores", List.of(Map.of("itemId",
                v.itemIds().get(2), "name", "rating", "value", 1.0))).execute()
                .path("logScores.results").entity(Integer.class).isEqualTo(0);
        assertThat(errorCode(graphQl.documentName("logScores").variable("runId", run).variable("scores",
                List.of(Map.of("itemId", "0".repeat(64), "name", "rating", "value", 1.0))).execute(),
                "ITEM_NOT_IN_DATASET")).contains("0".repeat(64));
    }

    @Test
    void shouldListResultsFilteredAndSorted() {
        Version v = dataset("d", 4);
        String run = createEvalRun(createModel("m"), v.id(), "r");
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Map<String, Object> r = result(v.itemIds().get(i), Map.of("answer", i), score("f1", i / 4.0));
            r.put("latencyMs", 100.0 - i);
            r.put("cost", 0.001);
            r.put("inputTokens", 10);
            r.put("outputTokens", 5);
            r.put("traceId", "0af7651916cd43dd8448eb211c80319c");
            r.put("spanId", "b7ad6b71692033" + String.format("%02d", i));
            results.add(r);
        }
        results.get(3).put("error", "rate limited");
        logResults(run, results);
        GraphQlTester.Response all = graphQl.documentName("evalResults").variable("runId", run).variable("first", 3)
                .execute();
        all.path("evalResults.totalCount").entity(Integer.class).isEqualTo(4)
                .path("evalResults.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true)
                .path("evalResults.edges[*].node.item.id").entityList(String.class)
                .containsExactly(v.itemIds().get(0), v.itemIds().get(1), v.itemIds().get(2))
                .path("evalResults.edges[1].node.item.expected.a").entity(Integer.class).isEqualTo(1)
                .path("evalResults.edges[1].node.output.answer").entity(Integer.class).isEqualTo(1)
                .path("evalResults.edges[1].node.traceId").entity(String.class)
                .isEqualTo("0af7651916cd43dd8448eb211c80319c")
                .path("evalResults.edges[1].node.inputTokens").entity(Integer.class).isEqualTo(10);
        graphQl.documentName("evalResults").variable("runId", run).variable("filter", Map.of("errored", true))
                .execute().path("evalResults.edges[*].node.error").entityList(String.class)
                .containsExactly("rate limited");
        graphQl.documentName("evalResults").variable("runId", run).variable("orderBy", Map.of("field", "LATENCY"))
                .execute().path("evalResults.edges[0].node.latencyMs").entity(Double.class).isEqualTo(97.0);
        graphQl.documentName("evalResults").variable("runId", run)
                .variable("orderBy", Map.of("field", "SCORE", "score", "f1", "direction", "DESC"))
                .variable("filter", Map.of("scoreName", "f1", "maxScore", 0.5)).execute()
                .path("evalResults.edges[*].node.scores[0].value").entityList(Double.class).containsExactly(0.5, 0.25, 0.0);
        errorCode(graphQl.documentName("evalResults").variable("runId", run).variable("filter", Map.of("minScore", 1))
                .execute(), "BAD_USER_INPUT");
        graphQl.documentName("evalResults").variable("runId", "999999999").execute().path("evalResults").valueIsNull();
    }

    @Test
    void shouldRefuseBadResultsWithCodesAndWriteNothing() {
        Version v = dataset("d", 2);
        String run = createEvalRun(createModel("m"), v.id(), "r");
        String item = v.itemIds().get(0);
        assertThat(errorCode(logResults(run, List.of(result(item, "x"), result("f".repeat(64), "y"))),
                "ITEM_NOT_IN_DATASET")).contains("f".repeat(64));
        Map<String, Object> rep = result(item, "x");
        rep.put("repetition", 1);
        assertThat(errorCode(logResults(run, List.of(rep)), "BAD_USER_INPUT")).contains("repetition");
        assertThat(errorCode(logResults(run, List.of(result(item, "x".repeat(1_048_577)))), "LIMIT_EXCEEDED"))
                .contains("1048576");
        Map<String, Object> negative = result(item, "x");
        negative.put("latencyMs", -1.0);
        errorCode(logResults(run, List.of(negative)), "BAD_USER_INPUT");
        Map<String, Object> badTrace = result(item, "x");
        badTrace.put("traceId", "nothex");
        errorCode(logResults(run, List.of(badTrace)), "BAD_USER_INPUT");
        errorCode(logResults(run, Collections.nCopies(1001, result(item, "x"))), "LIMIT_EXCEEDED");
        errorCode(logResults(run, List.of(result(item, "x", score("s".repeat(251), 1.0)))), "BAD_USER_INPUT");
        errorCode(logResults("999999999", List.of(result(item, "x"))), "NOT_FOUND");
        assertThat(jdbc.queryForObject("select count(*) from eval_result where run_id = ?", Integer.class,
                Long.parseLong(run))).isZero();
        assertThat(jdbc.queryForObject("select count(*) from eval_score where run_id = ?", Integer.class,
                Long.parseLong(run))).isZero();
    }

    @Test
    void shouldTurnTracedLlmCallsIntoItems() throws Exception {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String body = """
                {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [
                  {"traceId": "%1$s", "spanId": "00f067aa0ba902b7", "name": "chat gpt-4o", "kind": 3,
                   "startTimeUnixNano": "1796119200000000000", "endTimeUnixNano": "1796119201000000000",
                   "attributes": [
                     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
                     {"key": "gen_ai.request.temperature", "value": {"doubleValue": 0.2}},
                     {"key": "gen_ai.input.messages", "value": {"stringValue": "[{\\"role\\":\\"user\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"2+2?\\"}]}]"}},
                     {"key": "gen_ai.output.messages", "value": {"stringValue": "[{\\"role\\":\\"assistant\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"4\\"}]}]"}}]},
                  {"traceId": "%1$s", "spanId": "00f067aa0ba902b8", "name": "legacy", "kind": 3,
                   "startTimeUnixNano": "1796119200000000000", "endTimeUnixNano": "1796119201000000000",
                   "attributes": [
                     {"key": "gen_ai.prompt.0.role", "value": {"stringValue": "user"}},
                     {"key": "gen_ai.prompt.0.content", "value": {"stringValue": "hi"}},
                     {"key": "gen_ai.completion.0.role", "value": {"stringValue": "assistant"}},
                     {"key": "gen_ai.completion.0.content", "value": {"stringValue": "hello"}}]},
                  {"traceId": "%1$s", "spanId": "00f067aa0ba902b9", "name": "tool", "kind": 1,
                   "startTimeUnixNano": "1796119200000000000", "endTimeUnixNano": "1796119201000000000",
                   "attributes": []}]}]}]}
                """.formatted(trace);
        HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v1/traces")).header("Content-Type", "application/json").header("X-Trackstack-Project", project)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).isEqualTo(200);

        GraphQlTester.Response added = graphQl.documentName("addDatasetItemsFromSpans").variable("project", project)
                .variable("dataset", "from-traces").variable("spans", List.of(
                        Map.of("traceId", trace, "spanId", "00f067aa0ba902b7"),
                        Map.of("traceId", trace, "spanId", "00f067aa0ba902b8"))).execute();
        added.path("addDatasetItemsFromSpans.version.itemCount").entity(Integer.class).isEqualTo(2)
                .path("addDatasetItemsFromSpans.version.items.edges[0].node.input[0].parts[0].content")
                .entity(String.class).isEqualTo("2+2?")
                .path("addDatasetItemsFromSpans.version.items.edges[0].node.expected[0].parts[0].content")
                .entity(String.class).isEqualTo("4")
                .path("addDatasetItemsFromSpans.version.items.edges[0].node.metadata.model").entity(String.class)
                .isEqualTo("gpt-4o")
                .path("addDatasetItemsFromSpans.version.items.edges[0].node.metadata.parameters.temperature")
                .entity(Double.class).isEqualTo(0.2)
                .path("addDatasetItemsFromSpans.version.items.edges[0].node.sourceSpanId").entity(String.class)
                .isEqualTo("00f067aa0ba902b7")
                .path("addDatasetItemsFromSpans.version.items.edges[1].node.input[0].content").entity(String.class)
                .isEqualTo("hi")
                .path("addDatasetItemsFromSpans.version.items.edges[1].node.expected[0].content").entity(String.class)
                .isEqualTo("hello");
        // Again: nothing new.
        graphQl.documentName("addDatasetItemsFromSpans").variable("project", project).variable("dataset", "from-traces")
                .variable("spans", List.of(Map.of("traceId", trace, "spanId", "00f067aa0ba902b7"))).execute()
                .path("addDatasetItemsFromSpans.created").entity(Boolean.class).isEqualTo(false);
        assertThat(errorCode(graphQl.documentName("addDatasetItemsFromSpans").variable("project", project)
                .variable("dataset", "from-traces").variable("spans", List.of(Map.of("traceId", trace,
                        "spanId", "00f067aa0ba902b9"))).execute(), "BAD_USER_INPUT")).contains("no input");
        errorCode(graphQl.documentName("addDatasetItemsFromSpans").variable("project", project + "-x")
                .variable("dataset", "from-traces").variable("spans", List.of(Map.of("traceId", trace,
                        "spanId", "00f067aa0ba902b7"))).execute(), "NOT_FOUND");
    }
}
