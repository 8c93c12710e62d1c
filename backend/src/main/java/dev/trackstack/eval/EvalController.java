package dev.trackstack.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.auth.Caller;
import dev.trackstack.eval.DatasetRecords.Dataset;
import dev.trackstack.eval.DatasetRecords.DatasetChange;
import dev.trackstack.eval.DatasetRecords.DatasetItem;
import dev.trackstack.eval.DatasetRecords.DatasetVersion;
import dev.trackstack.eval.EvalComparisons.Comparison;
import dev.trackstack.eval.EvalResults.EvalResult;
import dev.trackstack.eval.EvalRuns.Evaluation;
import dev.trackstack.eval.ScoreConfigs.ScoreConfig;
import dev.trackstack.eval.ScoreConfigs.ScoreType;
import dev.trackstack.run.Run;
import dev.trackstack.run.RunKind;
import dev.trackstack.run.RunRepository;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Ids;
import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;

/** The fields of graphql/eval.graphqls. */
@Controller
class EvalController {

    private static final int PAGE_SIZE = 50;

    private final Datasets datasets;
    private final SpanItems spanItems;
    private final ScoreConfigs configs;
    private final EvalRuns evalRuns;
    private final EvalIngest ingest;
    private final EvalResults results;
    private final EvalComparisons comparisons;
    private final RunRepository runs;
    private final Pages pages;
    private final EvalJson json;

    EvalController(Datasets datasets, SpanItems spanItems, ScoreConfigs configs, EvalRuns evalRuns,
            EvalIngest ingest, EvalResults results, EvalComparisons comparisons, RunRepository runs, Pages pages,
            EvalJson json) {
        this.datasets = datasets;
        this.spanItems = spanItems;
        this.configs = configs;
        this.evalRuns = evalRuns;
        this.ingest = ingest;
        this.results = results;
        this.comparisons = comparisons;
        this.runs = runs;
        this.pages = pages;
        this.json = json;
    }

    @QueryMapping
    Page<Dataset> datasets(@Argument String project, @Argument Integer first, @Argument String after) {
        MapSqlParameterSource params = new MapSqlParameterSource("project", project)
                .addValue("visible", Caller.current().sees(project));
        String from = " from eval_dataset d join project p on p.id = d.project_id where p.name = :project and :visible";
        return pages.query("select d.id, p.name, d.name, d.created_at" + from + " order by d.name"
                + " limit :limit offset :offset", "select count(*)" + from, params, first, PAGE_SIZE, after,
                Datasets.DATASET);
    }

    @QueryMapping
    Dataset dataset(@Argument String project, @Argument String name) {
        return datasets.dataset(project, name);
    }

    @QueryMapping
    DatasetVersion datasetVersion(@Argument String id) {
        return datasets.version(Ids.parse(id, "dataset version"));
    }

    @QueryMapping
    List<ScoreConfig> scoreConfigs(@Argument String project) {
        return Caller.current().sees(project) ? configs.all(project) : List.of();
    }

    @QueryMapping
    Page<EvalResult> evalResults(@Argument String runId, @Argument Map<String, Object> filter,
            @Argument Map<String, Object> orderBy, @Argument Integer first, @Argument String after) {
        Evaluation eval = evaluationOrNull(runId);
        return eval == null ? null : results.page(eval, filter, orderBy, first, after);
    }

    @QueryMapping
    Comparison evalComparison(@Argument String baselineRunId, @Argument List<String> contenderRunIds,
            @Argument String score, @Argument Map<String, Object> filter, @Argument Integer first,
            @Argument String after) {
        Evaluation baseline = evaluationOrNull(baselineRunId);
        List<Evaluation> contenders = new ArrayList<>();
        for (String id : contenderRunIds) {
            contenders.add(evaluationOrNull(id));
        }
        if (baseline == null || contenders.contains(null)) {
            return null;
        }
        List<String> changes = filter == null ? null : (List<String>) filter.get("changes");
        return comparisons.compare(baseline, contenders, score, changes, first, after);
    }

    @MutationMapping
    DatasetChange addDatasetItems(@Argument String project, @Argument String dataset,
            @Argument List<Map<String, Object>> items, @Argument String description) {
        return datasets.add(project, dataset, datasets.newItems(items), description);
    }

    @MutationMapping
    DatasetChange removeDatasetItems(@Argument String project, @Argument String dataset,
            @Argument List<String> itemIds) {
        return datasets.remove(project, dataset, itemIds);
    }

    @MutationMapping
    @Transactional
    DatasetChange addDatasetItemsFromSpans(@Argument String project, @Argument String dataset,
            @Argument List<Map<String, Object>> spans) {
        return datasets.add(project, dataset, datasets.newItems(spanItems.items(project, limited(spans))), null);
    }

    @MutationMapping
    Run createEvalRun(@Argument String modelId, @Argument String datasetVersionId, @Argument String name,
            @Argument String promptName, @Argument Integer promptVersion, @Argument Object settings,
            @Argument List<String> tags, @Argument String notes, @Argument Integer repetitions) {
        return evalRuns.create(modelId, datasetVersionId, name, promptName, promptVersion, settings, tags, notes,
                repetitions == null ? 1 : repetitions);
    }

    @MutationMapping
    Map<String, Object> logEvalResults(@Argument String runId, @Argument List<Map<String, Object>> results) {
        return ingest.logResults(runId, results);
    }

    @MutationMapping
    Map<String, Object> logScores(@Argument String runId, @Argument List<Map<String, Object>> scores) {
        return ingest.logScores(runId, scores);
    }

    @MutationMapping
    ScoreConfig setScoreConfig(@Argument String project, @Argument Map<String, Object> config) {
        return configs.set(project, new ScoreConfig((String) config.get("name"),
                ScoreType.valueOf((String) config.get("type")), number(config.get("min")), number(config.get("max")),
                (List<String>) config.get("categories"), (List<String>) config.get("passCategories"),
                !Boolean.FALSE.equals(config.get("higherIsBetter")), number(config.get("passThreshold")), false,
                null));
    }

    @SchemaMapping(typeName = "Dataset")
    DatasetVersion latestVersion(Dataset dataset) {
        return datasets.latest(dataset.key());
    }

    @SchemaMapping(typeName = "Dataset")
    Page<DatasetVersion> versions(Dataset dataset, @Argument Integer first, @Argument String after) {
        String from = " from eval_dataset_version v where v.dataset_id = :dataset";
        return pages.query("select " + Datasets.VERSION_COLUMNS + from + " order by v.version desc"
                + " limit :limit offset :offset", "select count(*)" + from,
                new MapSqlParameterSource("dataset", dataset.key()), first, PAGE_SIZE, after, Datasets.VERSION);
    }

    @SchemaMapping(typeName = "DatasetVersion")
    Dataset dataset(DatasetVersion version) {
        return datasets.dataset(version.datasetKey());
    }

    @SchemaMapping(typeName = "DatasetVersion")
    Page<DatasetItem> items(DatasetVersion version, @Argument Integer first, @Argument String after) {
        return pages.query("select " + Datasets.ITEM_COLUMNS + " from eval_dataset_version_item vi"
                + " join eval_item i on i.id = vi.item_id where vi.version_id = :version order by vi.position"
                + " limit :limit offset :offset",
                "select count(*) from eval_dataset_version_item where version_id = :version",
                new MapSqlParameterSource("version", version.key()), first, PAGE_SIZE, after,
                (rs, i) -> datasets.item(rs));
    }

    @BatchMapping(typeName = "Run")
    Map<Run, Evaluation> evaluation(List<Run> batch) {
        Map<Long, Evaluation> found = evalRuns.evaluations(batch.stream().filter(r -> r.getKind() == RunKind.EVAL)
                .map(Run::getId).toArray(Long[]::new));
        Map<Run, Evaluation> byRun = new HashMap<>();
        batch.forEach(run -> byRun.put(run, found.get(run.getId())));
        return byRun;
    }

    @SchemaMapping(typeName = "Evaluation")
    DatasetVersion datasetVersion(Evaluation eval) {
        return datasets.version(eval.datasetVersionId());
    }

    @SchemaMapping(typeName = "Evaluation")
    Object settings(Evaluation eval) {
        return json.parse(eval.settings());
    }

    @SchemaMapping(typeName = "Evaluation")
    Map<String, Object> aggregates(Evaluation eval) {
        return EvalAggregates.withExpected((Map<String, Object>) json.parse(eval.aggregates()), eval);
    }

    @SchemaMapping(typeName = "EvalComparison")
    Run baseline(Comparison comparison) {
        return runs.findById(comparison.baselineEval().runId()).orElseThrow();
    }

    @SchemaMapping(typeName = "EvalComparison")
    List<Run> contenders(Comparison comparison) {
        List<Long> ids = comparison.contenderEvals().stream().map(Evaluation::runId).toList();
        Map<Long, Run> found = runs.findAllById(ids).stream().collect(Collectors.toMap(Run::getId,
                Function.identity()));
        return ids.stream().map(found::get).toList();
    }

    @SchemaMapping(typeName = "EvalComparison")
    List<Map<String, Object>> aggregateDeltas(Comparison comparison) {
        return comparisons.aggregateDeltas(comparison);
    }

    /** An eval run's evaluation; null for no run (the schema's answer), NOT_EVAL_RUN for a training run. */
    private Evaluation evaluationOrNull(String runId) {
        try {
            return evalRuns.evaluation(runId, false);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private List<Map<String, Object>> limited(List<Map<String, Object>> spans) {
        datasets.checkCount(spans.size());
        return spans;
    }

    private static Double number(Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }
}
