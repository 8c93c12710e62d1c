package dev.trackstack.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.eval.EvalRuns.Evaluation;
import dev.trackstack.eval.ScoreConfigs.ScoreConfig;
import dev.trackstack.eval.ScoreConfigs.ScoreType;
import dev.trackstack.metric.MetricIngest;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores results and scores of an eval run, all of a call or nothing, then computes the run's aggregates again
 * and writes them as its summary metrics through MetricIngest (so the runs table sorts and filters by them as by
 * any metric). The eval_run row is locked for the call: calls of one run take turns, and each aggregate point gets
 * the next step.
 */
@Service
class EvalIngest {

    /** How a score's source ranks when one result has the name from several: the highest counts. */
    static final Map<String, Integer> SOURCE_RANK = Map.of("CODE", 1, "LLM_JUDGE", 2, "HUMAN", 3);

    /** A score to store; value holds numbers and booleans (1 / 0). */
    record ScoreRow(long itemKey, int repetition, String name, String source, ScoreType type, Double value,
            String category, String explanation) {

        String key() {
            return itemKey + "/" + repetition + "/" + name + "/" + source;
        }
    }

    /** A result to store, its output as canonical JSON. */
    private record ResultRow(long itemKey, int repetition, int position, String output, String error,
            Double latencyMs, Double cost, Long inputTokens, Long outputTokens, byte[] traceId, byte[] spanId) {
    }

    /** An item of the run's dataset version: its row key and place. */
    record ItemRef(long key, int position) {
    }

    private final JdbcTemplate jdbc;
    private final EvalRuns runs;
    private final ScoreConfigs configs;
    private final EvalJson json;
    private final JsonMapper mapper;
    private final MetricIngest metrics;
    private final TrackstackProperties.Limits limits;

    EvalIngest(JdbcTemplate jdbc, EvalRuns runs, ScoreConfigs configs, EvalJson json, JsonMapper mapper,
            MetricIngest metrics, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.configs = configs;
        this.json = json;
        this.mapper = mapper;
        this.metrics = metrics;
        this.limits = properties.limits();
    }

    @Transactional
    Map<String, Object> logResults(String runId, List<Map<String, Object>> results) {
        if (results.size() > limits.evalResultsPerCall()) {
            throw ApiException.limit(results.size() + " results in one call", limits.evalResultsPerCall());
        }
        Evaluation eval = runs.evaluation(runId, true);
        Map<String, ItemRef> items = items(eval, results.stream().map(r -> (String) r.get("itemId")).toList());
        // A result given twice in one call is stored once, as given last.
        Map<String, ResultRow> rows = new LinkedHashMap<>();
        List<Map<String, Object>> scores = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Map<String, Object> r = results.get(i);
            String what = "results[" + i + "]";
            ItemRef item = items.get((String) r.get("itemId"));
            int repetition = repetition(what, r, eval);
            String error = (String) r.get("error");
            if (error != null && error.length() > limits.notesLength()) {
                throw ApiException.limit(what + ".error of " + error.length() + " characters", limits.notesLength());
            }
            Object output = r.get("output");
            String outputJson = output == null ? null : json.checkedCanonical(what + ".output", output);
            byte[] trace = EvalJson.hexId(what + ".traceId", (String) r.get("traceId"), 32);
            byte[] span = EvalJson.hexId(what + ".spanId", (String) r.get("spanId"), 16);
            rows.put(item.key() + "/" + repetition, new ResultRow(item.key(), repetition, item.position(), outputJson,
                    error, (Double) nonNegative(what + ".latencyMs", r.get("latencyMs")),
                    (Double) nonNegative(what + ".cost", r.get("cost")),
                    (Long) nonNegative(what + ".inputTokens", r.get("inputTokens")),
                    (Long) nonNegative(what + ".outputTokens", r.get("outputTokens")), trace, span));
            List<Map<String, Object>> given = r.get("scores") == null ? List.of()
                    : (List<Map<String, Object>>) r.get("scores");
            if (given.size() > limits.evalScoresPerResult()) {
                throw ApiException.limit(what + ": " + given.size() + " scores", limits.evalScoresPerResult());
            }
            for (Map<String, Object> score : given) {
                Map<String, Object> withItem = new HashMap<>(score);
                withItem.put("itemId", r.get("itemId"));
                withItem.put("repetition", repetition);
                scores.add(withItem);
            }
        }
        List<ScoreRow> scoreRows = scoreRows(eval, scores, items, "results[].scores");
        List<ResultRow> stored = new ArrayList<>(rows.values());
        jdbc.update("""
                insert into eval_result (run_id, item_id, repetition, position, output, error, latency_ms, cost,
                                         input_tokens, output_tokens, trace_id, span_id)
                select ?, r.item, r.rep, r.pos, r.output::jsonb, r.error, r.latency, r.cost, r.input, r.output_tokens,
                       r.trace, r.span
                from unnest(?::bigint[], ?::int[], ?::int[], ?::text[], ?::text[], ?::float8[], ?::float8[],
                            ?::bigint[], ?::bigint[], ?::bytea[], ?::bytea[])
                     as r(item, rep, pos, output, error, latency, cost, input, output_tokens, trace, span)
                on conflict (run_id, item_id, repetition) do update set output = excluded.output,
                    error = excluded.error, latency_ms = excluded.latency_ms, cost = excluded.cost,
                    input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                    trace_id = excluded.trace_id, span_id = excluded.span_id, updated_at = now()
                """, eval.runId(), stored.stream().map(ResultRow::itemKey).toArray(Long[]::new),
                stored.stream().map(ResultRow::repetition).toArray(Integer[]::new),
                stored.stream().map(ResultRow::position).toArray(Integer[]::new),
                stored.stream().map(ResultRow::output).toArray(String[]::new),
                stored.stream().map(ResultRow::error).toArray(String[]::new),
                stored.stream().map(ResultRow::latencyMs).toArray(Double[]::new),
                stored.stream().map(ResultRow::cost).toArray(Double[]::new),
                stored.stream().map(ResultRow::inputTokens).toArray(Long[]::new),
                stored.stream().map(ResultRow::outputTokens).toArray(Long[]::new),
                stored.stream().map(ResultRow::traceId).toArray(byte[][]::new),
                stored.stream().map(ResultRow::spanId).toArray(byte[][]::new));
        storeScores(eval.runId(), scoreRows);
        return finish(eval, stored.size(), scoreRows.size());
    }

    @Transactional
    Map<String, Object> logScores(String runId, List<Map<String, Object>> scores) {
        if (scores.size() > limits.evalScoresPerCall()) {
            throw ApiException.limit(scores.size() + " scores in one call", limits.evalScoresPerCall());
        }
        Evaluation eval = runs.evaluation(runId, true);
        Map<String, ItemRef> items = items(eval, scores.stream().map(s -> (String) s.get("itemId")).toList());
        List<ScoreRow> rows = scoreRows(eval, scores, items, "scores");
        storeScores(eval.runId(), rows);
        return finish(eval, 0, rows.size());
    }

    /** The items of the run's dataset version by content id; ITEM_NOT_IN_DATASET names the first that is not. */
    private Map<String, ItemRef> items(Evaluation eval, List<String> ids) {
        Map<String, ItemRef> found = new HashMap<>();
        jdbc.query("""
                select i.content_hash, i.id, vi.position from eval_item i
                join eval_dataset_version_item vi on vi.item_id = i.id and vi.version_id = ?
                where i.project_id = ? and i.content_hash = any(?)
                """, rs -> {
            found.put(rs.getString(1), new ItemRef(rs.getLong(2), rs.getInt(3)));
        }, eval.datasetVersionId(), eval.projectId(), ids.stream().distinct().toArray(String[]::new));
        for (String id : ids) {
            if (!found.containsKey(id)) {
                throw new ApiException(ErrorCode.ITEM_NOT_IN_DATASET, "Item " + id
                        + " is not in the run's dataset version " + eval.datasetVersionId());
            }
        }
        return found;
    }

    /** Scores checked against their configs (inferred for new names), the last of each key kept. */
    private List<ScoreRow> scoreRows(Evaluation eval, List<Map<String, Object>> scores, Map<String, ItemRef> items,
            String what) {
        Map<String, ScoreType> types = new LinkedHashMap<>();
        for (int i = 0; i < scores.size(); i++) {
            Map<String, Object> s = scores.get(i);
            String name = (String) s.get("name");
            configs.checkName(what + "[" + i + "].name", name);
            types.putIfAbsent(name, ScoreConfigs.typeOf(what + "[" + i + "]", number(s.get("value")),
                    (Boolean) s.get("boolean"), (String) s.get("category")));
        }
        Map<String, ScoreConfig> resolved = types.isEmpty() ? Map.of() : configs.resolve(eval.projectId(), types);
        Map<String, ScoreRow> rows = new LinkedHashMap<>();
        for (int i = 0; i < scores.size(); i++) {
            Map<String, Object> s = scores.get(i);
            String at = what + "[" + i + "]";
            ScoreConfig config = resolved.get((String) s.get("name"));
            String category = (String) s.get("category");
            if (category != null && category.length() > limits.nameLength()) {
                throw ApiException.limit(at + ".category of " + category.length() + " characters",
                        limits.nameLength());
            }
            Double value = ScoreConfigs.check(at, config, number(s.get("value")), (Boolean) s.get("boolean"),
                    category);
            String explanation = (String) s.get("explanation");
            if (explanation != null && explanation.length() > limits.notesLength()) {
                throw ApiException.limit(at + ".explanation of " + explanation.length() + " characters",
                        limits.notesLength());
            }
            ScoreRow row = new ScoreRow(items.get((String) s.get("itemId")).key(), repetition(at, s, eval),
                    config.name(), String.valueOf(s.get("source") == null ? "CODE" : s.get("source")), config.type(),
                    value, config.type() == ScoreType.CATEGORICAL ? category : null, explanation);
            rows.remove(row.key());
            rows.put(row.key(), row);
        }
        return new ArrayList<>(rows.values());
    }

    private void storeScores(long runId, List<ScoreRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        String[] names = rows.stream().map(ScoreRow::name).toArray(String[]::new);
        Long[] items = rows.stream().map(ScoreRow::itemKey).toArray(Long[]::new);
        Integer[] repetitions = rows.stream().map(ScoreRow::repetition).toArray(Integer[]::new);
        // A score is effective unless a higher-ranked source has the same (item, repetition, name)...
        jdbc.update("""
                insert into eval_score (run_id, name, item_id, repetition, source, rank, type, value, category,
                                        explanation, effective)
                select ?, s.name, s.item, s.rep, s.source, s.rank, s.type, s.value, s.category, s.explanation,
                       not exists (select from eval_score h where h.run_id = ? and h.name = s.name
                                   and h.item_id = s.item and h.repetition = s.rep and h.rank > s.rank)
                from unnest(?::text[], ?::bigint[], ?::int[], ?::text[], ?::smallint[], ?::text[], ?::float8[],
                            ?::text[], ?::text[])
                     as s(name, item, rep, source, rank, type, value, category, explanation)
                on conflict (run_id, name, item_id, repetition, source) do update set type = excluded.type,
                    value = excluded.value, category = excluded.category, explanation = excluded.explanation,
                    effective = excluded.effective, updated_at = now()
                """, runId, runId, names, items, repetitions,
                rows.stream().map(ScoreRow::source).toArray(String[]::new),
                rows.stream().map(r -> SOURCE_RANK.get(r.source()).shortValue()).toArray(Short[]::new),
                rows.stream().map(r -> r.type().name()).toArray(String[]::new),
                rows.stream().map(ScoreRow::value).toArray(Double[]::new),
                rows.stream().map(ScoreRow::category).toArray(String[]::new),
                rows.stream().map(ScoreRow::explanation).toArray(String[]::new));
        // ...so one just stored from a higher source (or two given at once) demotes the lower ones.
        jdbc.update("""
                update eval_score o set effective = false
                from unnest(?::text[], ?::bigint[], ?::int[]) as k(name, item, rep)
                where o.run_id = ? and o.name = k.name and o.item_id = k.item and o.repetition = k.rep and o.effective
                  and exists (select from eval_score h where h.run_id = o.run_id and h.name = o.name
                              and h.item_id = o.item_id and h.repetition = o.repetition and h.rank > o.rank)
                """, names, items, repetitions, runId);
    }

    /** Computes the aggregates, stores them with the run and as its summary metrics (at the next step). */
    private Map<String, Object> finish(Evaluation eval, int results, int scores) {
        Map<String, Object> aggregates = aggregates(eval);
        long step = jdbc.queryForObject("update eval_run set revision = revision + 1, aggregates = ?::jsonb"
                + " where run_id = ? returning revision", Long.class, mapper.writeValueAsString(aggregates),
                eval.runId());
        List<MetricPointInput> points = new ArrayList<>();
        points.add(new MetricPointInput("eval/items", null, step, ((Number) aggregates.get("items")).doubleValue(),
                null));
        points.add(new MetricPointInput("eval/errored", null, step,
                ((Number) aggregates.get("errored")).doubleValue(), null));
        for (Map<String, Object> score : (List<Map<String, Object>>) aggregates.get("scores")) {
            String series = "score/" + score.get("name");
            points.add(new MetricPointInput(series, "count", step, ((Number) score.get("count")).doubleValue(), null));
            if (score.get("mean") != null) {
                points.add(new MetricPointInput(series, "mean", step, (Double) score.get("mean"), null));
            }
            if (score.get("passRate") != null) {
                points.add(new MetricPointInput(series, "pass_rate", step, (Double) score.get("passRate"), null));
            }
        }
        metrics.log(eval.runId(), points, null);
        Map<String, Object> answer = new HashMap<>();
        answer.put("results", results);
        answer.put("scores", scores);
        answer.put("aggregates", EvalAggregates.withExpected(aggregates, eval));
        return answer;
    }

    /** EvalAggregates (without expected) from the stored results and scores, under the current score configs. */
    Map<String, Object> aggregates(Evaluation eval) {
        Map<String, Object> aggregates = new LinkedHashMap<>();
        jdbc.query("select count(*), count(error) from eval_result where run_id = ?", rs -> {
            aggregates.put("items", rs.getInt(1));
            aggregates.put("errored", rs.getInt(2));
        }, eval.runId());
        List<Map<String, Object>> scores = new ArrayList<>();
        Map<String, List<Map<String, Object>>> categories = new HashMap<>();
        jdbc.query("""
                with s as (select name, value, category from eval_score where run_id = ? and effective)
                select s.name, s.category, count(*) from s join score_config c on c.project_id = ? and c.name = s.name
                where c.type = 'CATEGORICAL' group by s.name, s.category order by s.name, count(*) desc, s.category
                """, rs -> {
            categories.computeIfAbsent(rs.getString(1), n -> new ArrayList<>())
                    .add(Map.of("category", rs.getString(2), "count", rs.getInt(3)));
        }, eval.runId(), eval.projectId());
        jdbc.query("""
                with s as (select name, value, category from eval_score where run_id = ? and effective)
                select s.name, c.type, count(*), avg(s.value),
                       count(*) filter (where\s""" + EvalSql.passed("c", "s") + """
                ), count(""" + EvalSql.passed("c", "s") + """
                ) from s join score_config c on c.project_id = ? and c.name = s.name
                group by s.name, c.type order by s.name
                """, rs -> {
            Map<String, Object> score = new LinkedHashMap<>();
            score.put("name", rs.getString(1));
            score.put("type", rs.getString(2));
            score.put("count", rs.getInt(3));
            boolean categorical = "CATEGORICAL".equals(rs.getString(2));
            score.put("mean", categorical ? null : (Double) rs.getObject(4));
            score.put("passRate", rs.getInt(6) == 0 ? null : rs.getInt(5) / (double) rs.getInt(6));
            score.put("categories", categorical ? categories.getOrDefault(rs.getString(1), List.of()) : null);
            scores.add(score);
        }, eval.runId(), eval.projectId());
        aggregates.put("scores", scores);
        return aggregates;
    }

    private static int repetition(String what, Map<String, Object> given, Evaluation eval) {
        int repetition = given.get("repetition") == null ? 0 : ((Number) given.get("repetition")).intValue();
        if (repetition < 0 || repetition >= eval.repetitions()) {
            throw ApiException.badInput(what + ".repetition must be 0 to " + (eval.repetitions() - 1) + ", got "
                    + repetition);
        }
        return repetition;
    }

    private static Object nonNegative(String what, Object value) {
        if (value instanceof Number n && n.doubleValue() < 0) {
            throw ApiException.badInput(what + " must be >= 0, got " + value);
        }
        return value;
    }

    private static Double number(Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }
}
