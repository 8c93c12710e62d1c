package dev.trackstack.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class EvalComparisonTests extends EvalTest {

    /**
     * Five items; against the baseline, the contender regresses on item 0, improves on 1, answers otherwise with the
     * same score on 2, is unchanged on 3 and errors on 4.
     */
    private String[] runs(Version v) {
        String model = createModel("m");
        String baseline = createEvalRun(model, v.id(), "baseline");
        String contender = createEvalRun(model, v.id(), "contender");
        List<String> ids = v.itemIds();
        logResults(baseline, List.of(result(ids.get(0), "a0", score("acc", 1.0), score("tone", "polite")),
                result(ids.get(1), "x", score("acc", 0.0)), result(ids.get(2), "a2", score("acc", 1.0)),
                result(ids.get(3), "a3", score("acc", 1.0)), result(ids.get(4), "a4", score("acc", 1.0))));
        Map<String, Object> failed = result(ids.get(4), null);
        failed.put("error", "timeout");
        logResults(contender, List.of(result(ids.get(0), "x", score("acc", 0.0), score("tone", "rude")),
                result(ids.get(1), "a1", score("acc", 1.0)), result(ids.get(2), "A2", score("acc", 1.0)),
                result(ids.get(3), "a3", score("acc", 1.0)), failed));
        return new String[] {baseline, contender};
    }

    private GraphQlTester.Response compare(String baseline, String contender, List<String> changes) {
        return graphQl.documentName("evalComparison").variable("baselineRunId", baseline)
                .variable("contenderRunIds", List.of(contender))
                .variable("filter", changes == null ? null : Map.of("changes", changes)).execute();
    }

    @Test
    void shouldClassifyEveryItemAndFilterByChange() {
        Version v = dataset("d", 5);
        String[] runs = runs(v);
        GraphQlTester.Response all = compare(runs[0], runs[1], null);
        all.path("evalComparison.score").entity(String.class).isEqualTo("acc")
                .path("evalComparison.rows.totalCount").entity(Integer.class).isEqualTo(5)
                .path("evalComparison.rows.edges[*].node.contenders[0].change").entityList(String.class)
                .containsExactly("REGRESSED", "IMPROVED", "CHANGED", "UNCHANGED", "ERRORED")
                .path("evalComparison.rows.edges[0].node.contenders[0].delta").entity(Double.class).isEqualTo(-1.0)
                .path("evalComparison.rows.edges[0].node.item.id").entity(String.class).isEqualTo(v.itemIds().get(0))
                .path("evalComparison.rows.edges[0].node.baseline.output").entity(String.class).isEqualTo("a0")
                .path("evalComparison.rows.edges[0].node.contenders[0].result.output").entity(String.class)
                .isEqualTo("x")
                .path("evalComparison.rows.edges[4].node.contenders[0].result.error").entity(String.class)
                .isEqualTo("timeout")
                .path("evalComparison.aggregateDeltas[?(@.name == 'acc')].meanDelta").entityList(Double.class)
                .containsExactly(0.75 - 0.8)
                .path("evalComparison.aggregateDeltas[?(@.name == 'acc')].regressed").entityList(Integer.class)
                .containsExactly(1)
                .path("evalComparison.aggregateDeltas[?(@.name == 'acc')].improved").entityList(Integer.class)
                .containsExactly(1);
        Map<String, String> expected = Map.of("REGRESSED", v.itemIds().get(0), "IMPROVED", v.itemIds().get(1),
                "CHANGED", v.itemIds().get(2), "UNCHANGED", v.itemIds().get(3), "ERRORED", v.itemIds().get(4));
        expected.forEach((change, item) -> compare(runs[0], runs[1], List.of(change))
                .path("evalComparison.rows.totalCount").entity(Integer.class).isEqualTo(1)
                .path("evalComparison.rows.edges[0].node.item.id").entity(String.class).isEqualTo(item));
        compare(runs[0], runs[1], List.of("REGRESSED", "ERRORED")).path("evalComparison.rows.totalCount")
                .entity(Integer.class).isEqualTo(2);
    }

    @Test
    void shouldHonourHigherIsBetterAndTheChosenScore() {
        graphQl.documentName("setScoreConfig").variable("project", project).variable("config",
                Map.of("name", "acc", "type", "NUMERIC", "higherIsBetter", false)).execute();
        graphQl.documentName("setScoreConfig").variable("project", project).variable("config",
                Map.of("name", "tone", "type", "CATEGORICAL", "passCategories", List.of("polite"))).execute();
        Version v = dataset("d", 5);
        String[] runs = runs(v);
        // Lower is better now: item 0 improved, item 1 regressed.
        compare(runs[0], runs[1], List.of("IMPROVED")).path("evalComparison.rows.edges[*].node.item.id")
                .entityList(String.class).containsExactly(v.itemIds().get(0));
        // On the categorical score, item 0 stopped passing; items without the score on either side compare outputs.
        graphQl.documentName("evalComparison").variable("baselineRunId", runs[0])
                .variable("contenderRunIds", List.of(runs[1])).variable("score", "tone")
                .variable("filter", Map.of("changes", List.of("REGRESSED"))).execute()
                .path("evalComparison.score").entity(String.class).isEqualTo("tone")
                .path("evalComparison.rows.edges[*].node.item.id").entityList(String.class)
                .containsExactly(v.itemIds().get(0))
                .path("evalComparison.rows.edges[0].node.contenders[0].delta").valueIsNull();
    }

    @Test
    void shouldPageAndRefuseRunsOfAnotherDatasetVersion() {
        Version v = dataset("d", 5);
        String[] runs = runs(v);
        GraphQlTester.Response first = graphQl.documentName("evalComparison").variable("baselineRunId", runs[0])
                .variable("contenderRunIds", List.of(runs[1], runs[1])).variable("first", 2).execute();
        first.path("evalComparison.rows.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true)
                .path("evalComparison.rows.edges[0].node.contenders[*].change").entityList(String.class)
                .containsExactly("REGRESSED", "REGRESSED");
        graphQl.documentName("evalComparison").variable("baselineRunId", runs[0])
                .variable("contenderRunIds", List.of(runs[1], runs[0]))
                .variable("filter", Map.of("changes", List.of("REGRESSED"))).execute()
                .path("evalComparison.rows.totalCount").entity(Integer.class).isEqualTo(1)
                .path("evalComparison.rows.edges[0].node.contenders[*].change").entityList(String.class)
                .containsExactly("REGRESSED", "UNCHANGED");
        String cursor = first.path("evalComparison.rows.pageInfo.endCursor").entity(String.class).get();
        graphQl.documentName("evalComparison").variable("baselineRunId", runs[0])
                .variable("contenderRunIds", List.of(runs[1])).variable("first", 2).variable("after", cursor).execute()
                .path("evalComparison.rows.edges[*].node.item.id").entityList(String.class)
                .containsExactly(v.itemIds().get(2), v.itemIds().get(3));

        Version other = dataset("d", 6);
        String elsewhere = createEvalRun(createModel("m"), other.id(), "other");
        assertThat(errorCode(compare(runs[0], elsewhere, null), "DATASET_VERSION_MISMATCH")).contains(other.id());
        String training = createRun();
        errorCode(compare(runs[0], training, null), "NOT_EVAL_RUN");
        compare(runs[0], "999999999", null).path("evalComparison").valueIsNull();
    }
}
