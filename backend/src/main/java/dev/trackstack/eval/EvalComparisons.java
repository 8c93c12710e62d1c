package dev.trackstack.eval;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.trackstack.eval.DatasetRecords.DatasetItem;
import dev.trackstack.eval.EvalResults.EvalResult;
import dev.trackstack.eval.EvalResults.ResultKey;
import dev.trackstack.eval.EvalRuns.Evaluation;
import dev.trackstack.eval.ScoreConfigs.ScoreConfig;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Baseline against contenders, item by item. The page of rows, with every contender's change and delta and the
 * count of all matching rows, is one query over the dataset version's items joined with each run's results and
 * compared score (joins on the primary keys and the effective scores' index); the page's results are then loaded
 * with EvalResults.load.
 */
@Service
class EvalComparisons {

    static final int MAX_CONTENDERS = 20;

    record Cell(String runId, EvalResult result, Double delta, String change) {
    }

    record Row(DatasetItem item, int repetition, EvalResult baseline, List<Cell> contenders) {
    }

    /** The comparison; aggregateDeltas are computed only when asked for (EvalController). */
    record Comparison(Evaluation baselineEval, List<Evaluation> contenderEvals, String score, Page<Row> rows) {
    }

    private final JdbcTemplate jdbc;
    private final Pages pages;
    private final ScoreConfigs configs;
    private final EvalResults results;
    private final Datasets datasets;
    private final JsonMapper json;

    EvalComparisons(JdbcTemplate jdbc, Pages pages, ScoreConfigs configs, EvalResults results, Datasets datasets,
            JsonMapper json) {
        this.datasets = datasets;
        this.jdbc = jdbc;
        this.pages = pages;
        this.configs = configs;
        this.results = results;
        this.json = json;
    }

    @Transactional(readOnly = true)
    Comparison compare(Evaluation baseline, List<Evaluation> contenders, String score, List<String> changes,
            Integer first, String after) {
        if (contenders.isEmpty() || contenders.size() > MAX_CONTENDERS) {
            throw ApiException.limit(contenders.size() + " contender runs (at least 1)", MAX_CONTENDERS);
        }
        for (Evaluation c : contenders) {
            if (c.datasetVersionId() != baseline.datasetVersionId()) {
                throw new ApiException(ErrorCode.DATASET_VERSION_MISMATCH, "Run " + c.runId()
                        + " ran on dataset version " + c.datasetVersionId() + ", the baseline on "
                        + baseline.datasetVersionId());
            }
        }
        wholeRunJoins();
        String compared = score != null ? score : firstScore(baseline);
        ScoreConfig config = compared == null ? null
                : configs.configs(baseline.projectId(), List.of(compared)).get(compared);
        Long[] contenderIds = contenders.stream().map(Evaluation::runId).toArray(Long[]::new);
        int repetitions = contenders.stream().mapToInt(Evaluation::repetitions).max().orElse(1);
        MapSqlParameterSource params = new MapSqlParameterSource("version", baseline.datasetVersionId())
                .addValue("reps", Math.max(repetitions, baseline.repetitions()))
                .addValue("baseline", baseline.runId()).addValue("contenders", contenderIds)
                .addValue("score", compared == null ? "" : compared)
                .addValue("hib", config == null || config.higherIsBetter())
                .addValue("changes", changes == null || changes.isEmpty() ? null : changes.toArray(String[]::new));
        String cells = """
                with cells as (
                    select vi.item_id, vi.position, rep.n as repetition, k.ord, cs.value - bs.value as delta,
                        case
                        when b.item_id is null or c.item_id is null or b.error is not null or c.error is not null
                            then 'ERRORED'
                        when cs.value <> bs.value
                            then case when (cs.value > bs.value) = :hib then 'IMPROVED' else 'REGRESSED' end
                        when %1$s <> %2$s then case when %2$s then 'IMPROVED' else 'REGRESSED' end
                        when (bs.item_id is null) <> (cs.item_id is null) or cs.category is distinct from bs.category
                             or c.output is distinct from b.output then 'CHANGED'
                        else 'UNCHANGED' end as change
                    from eval_dataset_version_item vi
                    cross join generate_series(0, :reps - 1) as rep(n)
                    cross join unnest(cast(:contenders as bigint[])) with ordinality as k(run_id, ord)
                    left join eval_result b on b.run_id = :baseline and b.item_id = vi.item_id
                                           and b.repetition = rep.n
                    left join eval_result c on c.run_id = k.run_id and c.item_id = vi.item_id and c.repetition = rep.n
                    left join eval_score bs on bs.run_id = :baseline and bs.name = :score and bs.item_id = vi.item_id
                                           and bs.repetition = rep.n and bs.effective
                    left join eval_score cs on cs.run_id = k.run_id and cs.name = :score and cs.item_id = vi.item_id
                                           and cs.repetition = rep.n and cs.effective
                    where vi.version_id = :version)
                """.formatted(passedExpression(config, params, "bs"), passedExpression(config, params, "cs"));
        boolean filtered = params.getValue("changes") != null;
        // One contender has one cell per row: filtering before sorting spares grouping and sorting all the rows.
        String rowsOf = contenderIds.length == 1
                ? "array[change], array[delta] from cells"
                        + (filtered ? " where change = any(cast(:changes as text[]))" : "")
                : "array_agg(change order by ord), array_agg(delta order by ord) from cells"
                        + " group by item_id, position, repetition"
                        + (filtered ? " having bool_or(change = any(cast(:changes as text[])))" : "");
        Page<Object[]> keys = pages.queryCounted(cells + "select item_id, repetition, count(*) over () as total_count, "
                + rowsOf + " order by position, repetition limit :limit offset :offset",
                cells + "select count(*) from (select " + rowsOf + ") g", params,
                first, 50, after, (rs, i) -> new Object[] {rs.getLong(1), rs.getInt(2), strings(rs.getArray(4)),
                    doubles(rs.getArray(5))});
        Long[] all = new Long[contenderIds.length + 1];
        all[0] = baseline.runId();
        System.arraycopy(contenderIds, 0, all, 1, contenderIds.length);
        Map<Long, DatasetItem> items = datasets.items(keys.edges().stream().map(e -> (Long) e.node()[0]).distinct()
                .toArray(Long[]::new));
        Map<ResultKey, EvalResult> loaded = results.load(baseline.projectId(), all, items);
        List<Page.Edge<Row>> edges = new ArrayList<>();
        for (Page.Edge<Object[]> edge : keys.edges()) {
            long item = (Long) edge.node()[0];
            int repetition = (Integer) edge.node()[1];
            String[] rowChanges = (String[]) edge.node()[2];
            Double[] deltas = (Double[]) edge.node()[3];
            List<Cell> cellList = new ArrayList<>();
            for (int i = 0; i < contenderIds.length; i++) {
                cellList.add(new Cell(String.valueOf(contenderIds[i]),
                        loaded.get(new ResultKey(contenderIds[i], item, repetition)), deltas[i], rowChanges[i]));
            }
            EvalResult base = loaded.get(new ResultKey(baseline.runId(), item, repetition));
            edges.add(new Page.Edge<>(edge.cursor(), new Row(items.get(item), repetition, base,
                    cellList)));
        }
        return new Comparison(baseline, contenders, compared, new Page<>(edges, keys.pageInfo(), keys.count()));
    }

    /**
     * Per contender and score name of either run: means and pass rates side by side (from the stored aggregates),
     * and how many items the score got worse or better on (numeric and boolean scores).
     */
    @Transactional(readOnly = true)
    List<Map<String, Object>> aggregateDeltas(Comparison comparison) {
        wholeRunJoins();
        Evaluation baseline = comparison.baselineEval();
        Map<String, Map<String, Object>> base = scores(baseline);
        Map<String, long[]> counts = new HashMap<>();
        Long[] contenderIds = comparison.contenderEvals().stream().map(Evaluation::runId).toArray(Long[]::new);
        jdbc.query("""
                select c.run_id, c.name, count(*) filter (where c.value < b.value),
                       count(*) filter (where c.value > b.value)
                from eval_score b join eval_score c on c.run_id = any(?) and c.name = b.name
                     and c.item_id = b.item_id and c.repetition = b.repetition and c.effective
                where b.run_id = ? and b.effective group by c.run_id, c.name
                """, rs -> {
            counts.put(rs.getLong(1) + "/" + rs.getString(2), new long[] {rs.getLong(3), rs.getLong(4)});
        }, contenderIds, baseline.runId());
        Map<Evaluation, Map<String, Map<String, Object>>> contenders = new LinkedHashMap<>();
        comparison.contenderEvals().forEach(contender -> contenders.put(contender, scores(contender)));
        Set<String> allNames = new TreeSet<>(base.keySet());
        contenders.values().forEach(con -> allNames.addAll(con.keySet()));
        Map<String, ScoreConfig> byName = configs.configs(baseline.projectId(), allNames);
        List<Map<String, Object>> deltas = new ArrayList<>();
        for (Map.Entry<Evaluation, Map<String, Map<String, Object>>> entry : contenders.entrySet()) {
            Evaluation contender = entry.getKey();
            Map<String, Map<String, Object>> con = entry.getValue();
            Set<String> names = new TreeSet<>(base.keySet());
            names.addAll(con.keySet());
            for (String name : names) {
                Map<String, Object> b = base.getOrDefault(name, Map.of());
                Map<String, Object> c = con.getOrDefault(name, Map.of());
                boolean hib = byName.get(name) == null || byName.get(name).higherIsBetter();
                long[] lowerHigher = counts.getOrDefault(contender.runId() + "/" + name, new long[2]);
                Map<String, Object> delta = new LinkedHashMap<>();
                delta.put("contenderRunId", String.valueOf(contender.runId()));
                delta.put("name", name);
                delta.put("baselineMean", b.get("mean"));
                delta.put("contenderMean", c.get("mean"));
                delta.put("meanDelta", difference(c.get("mean"), b.get("mean")));
                delta.put("baselinePassRate", b.get("passRate"));
                delta.put("contenderPassRate", c.get("passRate"));
                delta.put("passRateDelta", difference(c.get("passRate"), b.get("passRate")));
                delta.put("higherIsBetter", hib);
                delta.put("regressed", hib ? lowerHigher[0] : lowerHigher[1]);
                delta.put("improved", hib ? lowerHigher[1] : lowerHigher[0]);
                deltas.add(delta);
            }
        }
        return deltas;
    }

    /**
     * These queries join whole runs (thousands of rows each side). Right after a run's results were stored, before
     * autovacuum has analyzed them, the planner takes a run for a few rows and may loop over a scan per row, which
     * took longer than the 5 s statement limit on 10,000 items; without nested loops it hashes or merges, in time
     * proportional to the rows whatever the statistics say. For this transaction only.
     */
    private void wholeRunJoins() {
        jdbc.execute("set local enable_nestloop = off");
    }

    /** The first score name (they are stored by name) of the run's aggregates; null when it has none. */
    private String firstScore(Evaluation eval) {
        return scores(eval).keySet().stream().findFirst().orElse(null);
    }

    private Map<String, Map<String, Object>> scores(Evaluation eval) {
        Map<String, Object> aggregates = json.readValue(eval.aggregates(), Map.class);
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (Map<String, Object> score : (List<Map<String, Object>>) aggregates.get("scores")) {
            byName.put((String) score.get("name"), score);
        }
        return byName;
    }

    /** SQL for whether the score (alias) passes under the config, its values bound as parameters. */
    private static String passedExpression(ScoreConfig config, MapSqlParameterSource params, String alias) {
        if (config == null || !config.definesPassing()) {
            return "null::boolean";
        }
        params.addValue("ptype", config.type().name()).addValue("pthreshold", config.passThreshold())
                .addValue("pcategories", config.passCategories() == null ? null
                        : config.passCategories().toArray(String[]::new));
        return EvalSql.passed("pc", alias).replace("pc.type", "cast(:ptype as text)")
                .replace("pc.pass_threshold", "cast(:pthreshold as float8)")
                .replace("pc.higher_is_better", ":hib").replace("pc.pass_categories", "cast(:pcategories as text[])");
    }

    private static Double difference(Object a, Object b) {
        return a == null || b == null ? null : ((Number) a).doubleValue() - ((Number) b).doubleValue();
    }

    private static String[] strings(Array array) throws SQLException {
        return (String[]) array.getArray();
    }

    private static Double[] doubles(Array array) throws SQLException {
        Object[] values = (Object[]) array.getArray();
        return Arrays.stream(values).map(v -> v == null ? null : ((Number) v).doubleValue()).toArray(Double[]::new);
    }
}
