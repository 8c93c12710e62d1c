package dev.trackstack.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class RunTests extends ApiTest {

    private String model;

    @BeforeEach
    void model() {
        model = createModel("ResNet50");
    }

    @Test
    void shouldCreateARunThatIsRunning() {
        graphQl.documentName("createRun").variable("modelId", model).variable("name", "baseline")
                .variable("hyperparameters", Map.of("lr", 0.001, "optimizer", Map.of("name", "adam")))
                .variable("tags", List.of("baseline", "gpu")).variable("notes", "first try").execute()
                .path("createRun.status").entity(String.class).isEqualTo("RUNNING")
                .path("createRun.name").entity(String.class).isEqualTo("baseline")
                .path("createRun.hyperparameters.lr").entity(Double.class).isEqualTo(0.001)
                .path("createRun.hyperparameters.optimizer.name").entity(String.class).isEqualTo("adam")
                .path("createRun.tags").entityList(String.class).containsExactly("baseline", "gpu")
                .path("createRun.notes").entity(String.class).isEqualTo("first try")
                .path("createRun.finishedAt").valueIsNull()
                .path("createRun.model.id").entity(String.class).isEqualTo(model);
    }

    @Test
    void shouldRejectBadRunInput() {
        errorCode(graphQl.documentName("createRun").variable("modelId", "987654321").execute(), "NOT_FOUND");
        assertThat(errorCode(graphQl.documentName("createRun").variable("modelId", model)
                .variable("hyperparameters", List.of(1, 2)).execute(), "BAD_USER_INPUT")).contains("JSON object");
        errorCode(graphQl.documentName("createRun").variable("modelId", model)
                .variable("tags", List.of("")).execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("createRun").variable("modelId", model)
                .variable("hyperparameters", Map.of("blob", "x".repeat(70_000))).execute(), "LIMIT_EXCEEDED");
        errorCode(graphQl.documentName("createRun").variable("modelId", model)
                .variable("tags", Collections.nCopies(65, "t")).execute(), "LIMIT_EXCEEDED");
        graphQl.documentName("model").variable("id", model)
                .execute().path("model.runs.totalCount").entity(Integer.class).isEqualTo(0);
    }

    @Test
    void shouldAnswerNullForAnIdThatIsNoRunsWhetherItCouldBeOneOrNot() {
        for (String id : List.of("99999", "abc", "", "1.5", "99999999999999999999")) {
            graphQl.document("query($id: ID!) { run(id: $id) { id } }").variable("id", id).execute()
                    .errors().verify().path("run").valueIsNull();
        }
    }

    @Test
    void shouldStampTheFinishTimeWhenARunEndsAndClearItWhenItResumes() {
        String run = createRun(model, "r", Map.of(), List.of());

        updateStatus(run, "COMPLETED").path("updateRunStatus.status").entity(String.class).isEqualTo("COMPLETED")
                .path("updateRunStatus.finishedAt").entity(String.class).satisfies(t -> assertThat(t).isNotBlank());
        updateStatus(run, "RUNNING").path("updateRunStatus.finishedAt").valueIsNull();
        updateStatus(run, "FAILED").path("updateRunStatus.status").entity(String.class).isEqualTo("FAILED");
        errorCode(updateStatus("77777777", "FAILED"), "NOT_FOUND");
        errorCode(graphQl.documentName("updateRunStatus").variable("status", "PAUSED")
                .variable("runId", run).execute(), "BAD_USER_INPUT");
    }

    @Test
    void shouldEditNameNotesAndTagsKeepingWhatIsLeftOut() {
        String run = graphQl.documentName("createRun").variable("modelId", model).variable("name", "old")
                .variable("tags", List.of("a")).variable("notes", "n1").execute()
                .path("createRun.id").entity(String.class).get();

        graphQl.documentName("updateRun").variable("notes", "n2")
                .variable("runId", run).execute()
                .path("updateRun.name").entity(String.class).isEqualTo("old")
                .path("updateRun.notes").entity(String.class).isEqualTo("n2")
                .path("updateRun.tags").entityList(String.class).containsExactly("a");
        graphQl.documentName("updateRun").variable("runId", run).variable("name", "new").variable("notes", null)
                .variable("tags", List.of("b", "c")).execute()
                .path("updateRun.name").entity(String.class).isEqualTo("new")
                .path("updateRun.notes").valueIsNull()
                .path("updateRun.tags").entityList(String.class).containsExactly("b", "c");
        errorCode(graphQl.documentName("updateRun").variable("tags", List.of(" "))
                .variable("runId", run).execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("updateRun").variable("runId", "5555555555").variable("name", "x").execute(),
                "NOT_FOUND");
    }

    @Test
    void shouldDeleteRunsAndCountOnlyThoseThatExisted() {
        String a = createRun(model, "a", Map.of(), List.of());
        String b = createRun(model, "b", Map.of(), List.of());
        logMetrics(a, List.of(point("loss", null, 0, 1.0)), null);

        graphQl.documentName("deleteRuns")
                .variable("ids", List.of(a, b, "123456789", "junk")).execute()
                .path("deleteRuns").entity(Integer.class).isEqualTo(2);
        assertThat(jdbc.queryForObject("select count(*) from metric_series where run_id = ?", Long.class,
                Long.parseLong(a))).isZero();
        graphQl.documentName("run").variable("id", a).execute().path("run").valueIsNull();
    }

    @Test
    void shouldPageThroughRunsNewestFirst() {
        for (int i = 0; i < 5; i++) {
            createRun(model, "run-" + i, Map.of(), List.of());
        }
        GraphQlTester.Response page1 = runs(null, null, 2, null);
        page1.path("runs.totalCount").entity(Integer.class).isEqualTo(5)
                .path("runs.edges[*].node.name").entityList(String.class).containsExactly("run-4", "run-3")
                .path("runs.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        String cursor = page1.path("runs.pageInfo.endCursor").entity(String.class).get();

        runs(null, null, 2, cursor).path("runs.edges[*].node.name").entityList(String.class)
                .containsExactly("run-2", "run-1");
        GraphQlTester.Response last = runs(null, null, 10, cursor);
        last.path("runs.edges[*].node.name").entityList(String.class).containsExactly("run-2", "run-1", "run-0")
                .path("runs.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(false);
        errorCode(runs(null, null, 2, "not-a-cursor"), "BAD_USER_INPUT");
        errorCode(runs(null, null, 501, null), "LIMIT_EXCEEDED");
    }

    @Test
    void shouldFilterOnStatusTagsAndName() {
        String a = createRun(model, "alpha-baseline", Map.of(), List.of("baseline", "gpu"));
        createRun(model, "beta", Map.of(), List.of("gpu"));
        String c = createRun(model, "gamma_100%", Map.of(), List.of());
        updateStatus(c, "FAILED");

        assertNames(runs(Map.of("tags", List.of("gpu", "baseline")), null, 50, null), "alpha-baseline");
        assertNames(runs(Map.of("status", List.of("FAILED")), null, 50, null), "gamma_100%");
        assertNames(runs(Map.of("nameContains", "BASE"), null, 50, null), "alpha-baseline");
        // LIKE wildcards in the text are matched literally.
        assertNames(runs(Map.of("nameContains", "_100%"), null, 50, null), "gamma_100%");
        assertNames(runs(Map.of("nameContains", "%"), null, 50, null), "gamma_100%");
        assertNames(runs(Map.of("ids", List.of(c, a, "no-such-id")), null, 50, null), "gamma_100%", "alpha-baseline");
    }

    @Test
    void shouldFilterAndSortOnHyperparameters() {
        createRun(model, "small", Map.of("lr", 0.001, "optimizer", Map.of("name", "adam")), List.of());
        createRun(model, "large", Map.of("lr", 0.1, "optimizer", Map.of("name", "sgd")), List.of());
        createRun(model, "text-lr", Map.of("lr", "auto", "optimizer", Map.of("name", "adam")), List.of());
        createRun(model, "none", Map.of(), List.of());

        assertNames(runs(Map.of("params", List.of(param("optimizer.name", "EQ", "adam"))), null, 50, null),
                "text-lr", "small");
        assertNames(runs(Map.of("params", List.of(param("lr", "LT", 0.01))), null, 50, null), "small");
        assertNames(runs(Map.of("params", List.of(param("lr", "GTE", 0.001))), null, 50, null), "large", "small");
        assertNames(runs(Map.of("params", List.of(param("optimizer.name", "NE", "adam"))), null, 50, null),
                "none", "large");
        errorCode(runs(Map.of("params", List.of(param("lr", "GT", "high"))), null, 50, null), "BAD_USER_INPUT");

        // jsonb orders numbers above strings; runs without the key come last.
        assertNames(runs(null, List.of(Map.of("field", "PARAM", "param", "lr", "direction", "DESC")), 50, null),
                "large", "small", "text-lr", "none");
    }

    @Test
    void shouldFilterAndSortOnSummaryMetrics() {
        String a = createRun(model, "a", Map.of(), List.of());
        String b = createRun(model, "b", Map.of(), List.of());
        String c = createRun(model, "c", Map.of(), List.of());
        createRun(model, "no-metrics", Map.of(), List.of());
        logMetrics(a, List.of(point("loss", "val", 0, 0.9), point("loss", "val", 1, 0.3)), null);
        logMetrics(b, List.of(point("loss", "val", 0, 0.5), point("loss", "val", 1, 0.4)), null);
        logMetrics(c, List.of(point("loss", "val", 0, 0.2), point("loss", "train", 0, 0.1)), null);

        Map<String, Object> lossBelow = new HashMap<>(Map.of("name", "loss", "split", "val", "op", "LT",
                "value", 0.35));
        assertNames(runs(Map.of("metrics", List.of(lossBelow)), null, 50, null), "c", "a");
        Map<String, Object> maxAbove = new HashMap<>(Map.of("name", "loss", "split", "val", "stat", "MAX", "op",
                "GT", "value", 0.6));
        assertNames(runs(Map.of("metrics", List.of(maxAbove)), null, 50, null), "a");

        Map<String, Object> byLoss = Map.of("field", "METRIC", "metric", Map.of("name", "loss", "split", "val"));
        assertNames(runs(null, List.of(byLoss), 50, null), "c", "a", "b", "no-metrics");
        Map<String, Object> byMaxDesc = Map.of("field", "METRIC", "direction", "DESC",
                "metric", Map.of("name", "loss", "split", "val", "stat", "MAX"));
        assertNames(runs(null, List.of(byMaxDesc), 50, null), "a", "b", "c", "no-metrics");
    }

    @Test
    void shouldListRunsOfAModelOrOfAWholeProject() {
        String other = createModel("ViT");
        createRun(model, "r1", Map.of(), List.of());
        createRun(other, "r2", Map.of(), List.of());

        graphQl.documentName("runs").variable("modelId", other).execute()
                .path("runs.edges[*].node.name").entityList(String.class).containsExactly("r2");
        assertNames(runs(null, null, 50, null), "r2", "r1");
        graphQl.documentName("runs").variable("project", "no-such-project").execute()
                .path("runs.totalCount").entity(Integer.class).isEqualTo(0);
    }

    private GraphQlTester.Response runs(Map<String, Object> filter, List<Map<String, Object>> orderBy, int first,
            String after) {
        return graphQl.documentName("runs").variable("project", project).variable("filter", filter)
                .variable("orderBy", orderBy).variable("first", first).variable("after", after).execute();
    }

    private GraphQlTester.Response updateStatus(String run, String status) {
        return graphQl.documentName("updateRunStatus").variable("runId", run).variable("status", status).execute();
    }

    private static Map<String, Object> param(String key, String op, Object value) {
        return Map.of("key", key, "op", op, "value", value);
    }

    private static void assertNames(GraphQlTester.Response response, String... names) {
        response.path("runs.edges[*].node.name").entityList(String.class).containsExactly(names);
    }
}
