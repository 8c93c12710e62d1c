package dev.trackstack.eval;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.trackstack.eval.EvalRuns.Evaluation;

/** EvalAggregates as the schema has them: the stored aggregates and the results the run should get. */
final class EvalAggregates {

    private EvalAggregates() {
    }

    static Map<String, Object> withExpected(Map<String, Object> stored, Evaluation eval) {
        Map<String, Object> aggregates = new LinkedHashMap<>(stored);
        aggregates.put("expected", eval.itemCount() * eval.repetitions());
        return aggregates;
    }
}
