package dev.trackstack.eval;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.eval.DatasetRecords.DatasetItem;
import dev.trackstack.eval.EvalRuns.Evaluation;
import dev.trackstack.eval.ScoreConfigs.ScoreConfig;
import dev.trackstack.eval.ScoreConfigs.ScoreType;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads results: an eval run's page of them (evalResults), and the results of several runs for some items. */
@Service
class EvalResults {

    record EvalScore(String name, ScoreType type, Double value, Boolean bool, String category, Boolean passed,
            String source, String explanation, OffsetDateTime updatedAt) {

        /** The schema's field is named boolean, a Java keyword. */
        public Boolean getBoolean() {
            return bool;
        }
    }

    record EvalResult(String runId, DatasetItem item, int repetition, Object output, String error, Double latencyMs,
            Double cost, Long inputTokens, Long outputTokens, String traceId, String spanId, List<EvalScore> scores,
            OffsetDateTime updatedAt) {
    }

    /** A score as stored, before its name's config judges whether it passes. */
    record StoredScore(String name, ScoreType type, Double value, String category, String source, String explanation,
            OffsetDateTime updatedAt) {

        /** Its columns of eval_score as {@code alias}, in the order {@link #read} takes them. */
        static String columns(String alias) {
            return "%1$s.name, %1$s.type, %1$s.value, %1$s.category, %1$s.source, %1$s.explanation, %1$s.updated_at"
                    .formatted(alias);
        }

        /** The columns of {@link #columns}, the first of them at {@code from}. */
        static StoredScore read(ResultSet rs, int from) throws SQLException {
            return new StoredScore(rs.getString(from), ScoreType.valueOf(rs.getString(from + 1)),
                    (Double) rs.getObject(from + 2), rs.getString(from + 3), rs.getString(from + 4),
                    rs.getString(from + 5), rs.getObject(from + 6, OffsetDateTime.class));
        }

        EvalScore judged(Map<String, ScoreConfig> configs) {
            ScoreConfig config = configs.get(name);
            return new EvalScore(name, type, value, type == ScoreType.BOOLEAN ? Double.valueOf(1).equals(value) : null,
                    category, config == null ? null : config.passes(value, category), source, explanation, updatedAt);
        }
    }

    /** A result's address: run, item row key, repetition. */
    record ResultKey(long runId, long itemKey, int repetition) {
    }

    private final JdbcTemplate jdbc;
    private final Pages pages;
    private final Datasets datasets;
    private final ScoreConfigs configs;
    private final EvalJson json;

    EvalResults(JdbcTemplate jdbc, Pages pages, Datasets datasets, ScoreConfigs configs, EvalJson json) {
        this.jdbc = jdbc;
        this.pages = pages;
        this.datasets = datasets;
        this.configs = configs;
        this.json = json;
    }

    @Transactional(readOnly = true)
    Page<EvalResult> page(Evaluation eval, Map<String, Object> filter, Map<String, Object> orderBy, Integer first,
            String after) {
        MapSqlParameterSource params = new MapSqlParameterSource("run", eval.runId());
        StringBuilder where = new StringBuilder("r.run_id = :run");
        String scoreName = filter == null ? null : (String) filter.get("scoreName");
        String sortScore = orderBy == null ? null : (String) orderBy.get("score");
        String join = "";
        if (filter != null) {
            if (filter.get("errored") != null) {
                where.append(Boolean.TRUE.equals(filter.get("errored")) ? " and r.error is not null"
                        : " and r.error is null");
            }
            if (filter.get("repetition") != null) {
                where.append(" and r.repetition = :rep");
                params.addValue("rep", filter.get("repetition"));
            }
            if ((filter.get("minScore") != null || filter.get("maxScore") != null) && scoreName == null) {
                throw ApiException.badInput("minScore and maxScore need scoreName");
            }
            if (scoreName != null) {
                join += scoreJoin("f", "fname");
                params.addValue("fname", scoreName);
                where.append(" and f.name is not null");
                if (filter.get("minScore") != null) {
                    where.append(" and f.value >= :min");
                    params.addValue("min", ((Number) filter.get("minScore")).doubleValue());
                }
                if (filter.get("maxScore") != null) {
                    where.append(" and f.value <= :max");
                    params.addValue("max", ((Number) filter.get("maxScore")).doubleValue());
                }
            }
        }
        String order = "r.position, r.repetition";
        if (orderBy != null) {
            String direction = "DESC".equals(String.valueOf(orderBy.get("direction"))) ? " desc" : " asc";
            String key = switch (String.valueOf(orderBy.get("field"))) {
                case "LATENCY" -> "r.latency_ms";
                case "COST" -> "r.cost";
                case "SCORE" -> {
                    if (sortScore == null) {
                        throw ApiException.badInput("Sorting by SCORE needs 'score'");
                    }
                    join += scoreJoin("o", "oname");
                    params.addValue("oname", sortScore);
                    yield "o.value";
                }
                default -> null;
            };
            order = key == null ? (direction.equals(" desc") ? "r.position desc, r.repetition desc" : order)
                    : key + direction + " nulls last, " + order;
        }
        String from = " from eval_result r" + join + " where " + where;
        Page<long[]> keys = pages.query("select r.item_id, r.repetition" + from + " order by " + order
                + " limit :limit offset :offset", "select count(*)" + from, params, first, 50, after,
                (rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)});
        Map<ResultKey, EvalResult> loaded = load(eval.projectId(), new Long[] {eval.runId()},
                datasets.items(keys.edges().stream().map(e -> e.node()[0]).distinct().toArray(Long[]::new)));
        List<Page.Edge<EvalResult>> edges = keys.edges().stream().map(e -> new Page.Edge<>(e.cursor(),
                loaded.get(new ResultKey(eval.runId(), e.node()[0], (int) e.node()[1])))).toList();
        return new Page<>(edges, keys.pageInfo(), keys.count());
    }

    /** The results of these runs for these items (by row key), with their scores: two queries. */
    Map<ResultKey, EvalResult> load(long projectId, Long[] runIds, Map<Long, DatasetItem> items) {
        Long[] itemKeys = items.keySet().toArray(Long[]::new);
        List<Map.Entry<ResultKey, StoredScore>> stored = new ArrayList<>();
        jdbc.query("select s.run_id, s.item_id, s.repetition, " + StoredScore.columns("s")
                + " from eval_score s where s.run_id = any(?) and s.item_id = any(?) order by s.name, s.rank desc", rs -> {
            stored.add(Map.entry(new ResultKey(rs.getLong(1), rs.getLong(2), rs.getInt(3)), StoredScore.read(rs, 4)));
        }, runIds, itemKeys);
        Map<String, ScoreConfig> byName = configs.configs(projectId,
                stored.stream().map(s -> s.getValue().name()).distinct().toList());
        Map<ResultKey, List<EvalScore>> scores = new HashMap<>();
        for (Map.Entry<ResultKey, StoredScore> s : stored) {
            scores.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(s.getValue().judged(byName));
        }
        Map<ResultKey, EvalResult> results = new HashMap<>();
        jdbc.query("""
                select run_id, item_id, repetition, output::text, error, latency_ms, cost, input_tokens, output_tokens,
                       trace_id, span_id, updated_at
                from eval_result where run_id = any(?) and item_id = any(?)
                """, rs -> {
            ResultKey key = new ResultKey(rs.getLong(1), rs.getLong(2), rs.getInt(3));
            results.put(key, new EvalResult(String.valueOf(key.runId()), items.get(key.itemKey()), key.repetition(),
                    json.parse(rs.getString(4)), rs.getString(5), (Double) rs.getObject(6), (Double) rs.getObject(7),
                    (Long) rs.getObject(8), (Long) rs.getObject(9), EvalJson.hex(rs.getBytes(10)),
                    EvalJson.hex(rs.getBytes(11)), scores.getOrDefault(key, List.of()),
                    rs.getObject(12, OffsetDateTime.class)));
        }, runIds, itemKeys);
        return results;
    }

    /** Joins alias's effective score (that of the highest-ranked source) of the name bound as :param. */
    private static String scoreJoin(String alias, String param) {
        return " left join lateral (select s.name, s.value from eval_score s where s.run_id = r.run_id and s.name = :"
                + param + " and s.item_id = r.item_id and s.repetition = r.repetition and s.effective) "
                + alias + " on true";
    }
}
