package dev.trackstack.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import tools.jackson.databind.JsonNode;

/**
 * EVAL_INGEST (the results of an eval: items with an output and 3 scores each, through logEvalResults in calls of
 * 1,000, as the Python client's evaluate() sends them) and EVAL_COMPARE (the comparison of two such runs on one
 * dataset version: the first page of 50 rows with deltas, regressed rows only, and with the aggregate deltas on
 * top). Items are question/answer pairs of a few hundred bytes.
 */
final class Evals {

    private static final int BATCH = 1_000;
    private static final String PROJECT = "evals";

    private static final String ADD_ITEMS = """
            mutation($p: String!, $d: String!, $items: [DatasetItemInput!]!) {
              addDatasetItems(project: $p, dataset: $d, items: $items) { version { id } itemIds }
            }""";
    private static final String CREATE_RUN = """
            mutation($m: ID!, $v: ID!, $n: String) { createEvalRun(modelId: $m, datasetVersionId: $v, name: $n) { id } }""";
    private static final String LOG_RESULTS = """
            mutation($r: ID!, $results: [EvalResultInput!]!) { logEvalResults(runId: $r, results: $results) { results } }""";
    private static final String COMPARE = """
            query($b: ID!, $c: ID!) {
              evalComparison(baselineRunId: $b, contenderRunIds: [$c], filter: {changes: [REGRESSED]}, first: 50) {
                score
                rows {
                  totalCount
                  edges { node { item { id input expected } repetition
                    baseline { output latencyMs cost scores { name value } }
                    contenders { delta change result { output latencyMs cost scores { name value } } } } }
                }
              }
            }""";
    private static final String COMPARE_WITH_AGGREGATES = COMPARE.replace("score\n",
            "score\n    aggregateDeltas { name meanDelta passRateDelta regressed improved }\n");

    private Evals() {
    }

    /** EVAL_INGEST: answers the figures and the run ids and version for EVAL_COMPARE. */
    static Map<String, Object> ingest(Api api, int items) {
        String model = api.createModel(PROJECT, "qa-model");
        List<String> ids = new ArrayList<>();
        String version = null;
        for (int from = 0; from < items; from += BATCH) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(items, from + BATCH); i++) {
                batch.add(Map.of("input", Map.of("question", "What is the capital of country number " + i
                        + "? Answer with the city's name only.", "context", "Country " + i + " lies on the coast."),
                        "expected", Map.of("answer", "City " + i), "metadata", Map.of("topic", "geography")));
            }
            JsonNode added = api.call(ADD_ITEMS, Map.of("p", PROJECT, "d", "capitals", "items", batch))
                    .get("addDatasetItems");
            version = added.at("/version/id").asString();
            added.get("itemIds").forEach(id -> ids.add(id.asString()));
        }
        String baseline = api.call(CREATE_RUN, Map.of("m", model, "v", version, "n", "baseline"))
                .at("/createEvalRun/id").asString();
        String contender = api.call(CREATE_RUN, Map.of("m", model, "v", version, "n", "contender"))
                .at("/createEvalRun/id").asString();
        double baselineSeconds = log(api, baseline, ids, new SplittableRandom(1));
        double contenderSeconds = log(api, contender, ids, new SplittableRandom(2));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("items", items);
        result.put("scores_per_item", 3);
        result.put("results_per_call", BATCH);
        result.put("items_per_s", Math.round(items / baselineSeconds));
        result.put("items_per_s_second_run", Math.round(items / contenderSeconds));
        result.put("runs", List.of(baseline, contender));
        return result;
    }

    /** EVAL_COMPARE on the two runs of EVAL_INGEST. */
    static Map<String, Object> compare(Api api, List<String> runs, int iterations) {
        Map<String, Object> variables = Map.of("b", runs.get(0), "c", runs.get(1));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("regressed_rows", api.call(COMPARE, variables).at("/evalComparison/rows/totalCount").asLong());
        result.put("first_50_regressed_with_deltas", Reads.time(iterations, () -> api.send(COMPARE, variables)));
        result.put("same_with_aggregate_deltas",
                Reads.time(iterations, () -> api.send(COMPARE_WITH_AGGREGATES, variables)));
        return result;
    }

    /** Logs a result with 3 scores for every item, a tenth of them wrong; answers the seconds it took. */
    private static double log(Api api, String run, List<String> ids, SplittableRandom random) {
        long start = System.nanoTime();
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<Map<String, Object>> results = new ArrayList<>();
            for (int i = from; i < Math.min(ids.size(), from + BATCH); i++) {
                boolean right = random.nextInt(10) != 0;
                results.add(Map.of("itemId", ids.get(i), "output", Map.of("answer", right ? "City " + i : "Atlantis"),
                        "latencyMs", 200 + random.nextInt(800), "cost", 0.0004, "inputTokens", 40,
                        "outputTokens", 4, "scores", List.of(
                                Map.of("name", "exact_match", "boolean", right),
                                Map.of("name", "f1", "value", right ? 1.0 : random.nextDouble() / 2),
                                Map.of("name", "judge", "value", right ? 4 + random.nextInt(2) : 1 + random.nextInt(3),
                                        "source", "LLM_JUDGE", "explanation", right ? "Correct." : "Wrong city."))));
            }
            api.call(LOG_RESULTS, Map.of("r", run, "results", results));
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
