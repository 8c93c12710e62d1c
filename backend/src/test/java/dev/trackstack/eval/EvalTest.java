package dev.trackstack.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.trackstack.ApiTest;
import org.springframework.graphql.test.tester.GraphQlTester;

/** What the eval tests share: a dataset of their project, eval runs on it, results with scores. */
abstract class EvalTest extends ApiTest {

    protected static Map<String, Object> item(Object input, Object expected) {
        Map<String, Object> item = new HashMap<>();
        item.put("input", input);
        item.put("expected", expected);
        return item;
    }

    protected GraphQlTester.Response addItems(String dataset, List<Map<String, Object>> items) {
        return graphQl.documentName("addDatasetItems").variable("project", project).variable("dataset", dataset)
                .variable("items", items).execute();
    }

    /** The new version's id and the items' ids, in order. */
    protected Version addedVersion(String dataset, List<Map<String, Object>> items) {
        GraphQlTester.Response response = addItems(dataset, items);
        return new Version(response.path("addDatasetItems.version.id").entity(String.class).get(),
                response.path("addDatasetItems.itemIds").entityList(String.class).get());
    }

    /** A dataset of n items {"q": i} → {"a": i}. */
    protected Version dataset(String name, int n) {
        return addedVersion(name, IntStream.range(0, n)
                .mapToObj(i -> item(Map.of("q", i), Map.of("a", i))).toList());
    }

    protected String createEvalRun(String modelId, String versionId, String name) {
        return graphQl.documentName("createEvalRun").variable("modelId", modelId)
                .variable("datasetVersionId", versionId).variable("name", name).execute()
                .path("createEvalRun.id").entity(String.class).get();
    }

    protected GraphQlTester.Response logResults(String runId, List<Map<String, Object>> results) {
        return graphQl.documentName("logEvalResults").variable("runId", runId).variable("results", results)
                .execute();
    }

    protected static Map<String, Object> result(String itemId, Object output, Map<String, Object>... scores) {
        Map<String, Object> result = new HashMap<>();
        result.put("itemId", itemId);
        result.put("output", output);
        result.put("scores", List.of(scores));
        return result;
    }

    protected static Map<String, Object> score(String name, Object value) {
        Map<String, Object> score = new HashMap<>();
        score.put("name", name);
        score.put(value instanceof Boolean ? "boolean" : value instanceof String ? "category" : "value", value);
        return score;
    }

    record Version(String id, List<String> itemIds) {
    }
}
