package dev.trackstack.traintrack;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.auth.Caller;
import dev.trackstack.metric.IngestSlots;
import dev.trackstack.metric.PointBatch;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.metric.Series;
import dev.trackstack.metric.SeriesPoint;
import dev.trackstack.metric.SeriesQuery;
import dev.trackstack.project.ModelCreation;
import dev.trackstack.run.Run;
import dev.trackstack.run.RunCreation;
import dev.trackstack.run.RunDeletion;
import dev.trackstack.run.RunKind;
import dev.trackstack.run.RunLifecycle;
import dev.trackstack.run.RunRepository;
import dev.trackstack.run.RunStatus;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * TrainTrack's models, runs, losses and metrics on ours: a TrainTrack model is our model of that name in the project
 * of its project_name, a run is a training run, a loss value is a point of the series {@code loss} and a metric value
 * one of the series named by the metric, both split by train/validation, stored through the same ingest as
 * logMetrics (so live charts and rollups see them). Access follows the caller's API token as in GraphQL
 * (AccessGuard): changes need a WRITE token, and projects outside the token are absent.
 */
@Service
class TrainTrack {

    /** The series that TrainTrack's losses are. */
    static final String LOSS = "loss";
    static final Set<String> SPLITS = Set.of("train", "validation");
    /** TrainTrack's metric names; other series of a run are no TrainTrack metric. */
    static final Set<String> METRICS =
            Set.of("accuracy", "f1-score", "recall", "precision", "balanced accuracy", "mse", "mae");

    private static final String MODELS = """
            select m.id, m.name, p.name, m.created_at from model m join project p on p.id = m.project_id
            """;

    /** Training runs (TrainTrack has no eval runs) with their project. */
    private static final String TRAINING_RUNS = """
             from run r join model m on m.id = r.model_id join project p on p.id = m.project_id
            where r.kind = 'TRAINING'
            """;

    private static final String RUNS =
            "select r.id, r.model_id, r.hyperparameters::text, r.status, r.created_at, p.name" + TRAINING_RUNS;

    private final JdbcTemplate jdbc;
    private final ModelCreation models;
    private final RunCreation runCreation;
    private final RunRepository runs;
    private final RunLifecycle lifecycle;
    private final RunDeletion runDeletion;
    private final IngestSlots ingest;
    private final SeriesQuery seriesQuery;
    private final TrackstackProperties.Limits limits;

    TrainTrack(JdbcTemplate jdbc, ModelCreation models, RunCreation runCreation, RunRepository runs,
            RunLifecycle lifecycle, RunDeletion runDeletion, IngestSlots ingest, SeriesQuery seriesQuery,
            TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.models = models;
        this.runCreation = runCreation;
        this.runs = runs;
        this.lifecycle = lifecycle;
        this.runDeletion = runDeletion;
        this.ingest = ingest;
        this.seriesQuery = seriesQuery;
        this.limits = properties.limits();
    }

    // Models

    /** Get-or-create, as createModel: registering a model twice answers the same model. */
    TrainTrackJson.Model createModel(String name, String projectName) {
        if (!writer().sees(projectName)) {
            throw ApiException.forbidden("This token does not cover project " + projectName);
        }
        return model(models.create(projectName, name).getId());
    }

    List<TrainTrackJson.Model> models() {
        String[] seen = seenProjects();
        return jdbc.query(MODELS + " where (?::text[] is null or p.name = any(?::text[])) order by m.created_at, m.id",
                this::modelRow, seen, seen);
    }

    void deleteModel(String modelId) {
        writer();
        long id = TrainTrackIds.MODEL.parse(modelId);
        model(id);
        models.delete(id, modelId);
    }

    /** Removes the project's models with their runs; the project itself stays, with its prompts, traces, evals. */
    @Transactional
    int deleteModelsOfProject(String projectName) {
        writer();
        List<Long> ids = modelsOfProject(projectName);
        ids.forEach(id -> models.delete(id, TrainTrackIds.MODEL.of(id)));
        return ids.size();
    }

    // Runs

    TrainTrackJson.Run createRun(String modelId, Map<?, ?> hyperparameters) {
        writer();
        long model = TrainTrackIds.MODEL.parseField("model_id", modelId);
        model(model);
        return run(runCreation.create(String.valueOf(model), RunKind.TRAINING, null, hyperparameters, null, null));
    }

    List<TrainTrackJson.Run> runsOfModel(String modelId) {
        long model = TrainTrackIds.MODEL.parse(modelId);
        model(model);
        return jdbc.query(RUNS + " and r.model_id = ? order by r.created_at, r.id", this::runRow, model);
    }

    List<TrainTrackJson.Run> runsOfProject(String projectName) {
        modelsOfProject(projectName);
        return jdbc.query(RUNS + " and p.name = ? order by r.created_at, r.id", this::runRow, projectName);
    }

    /** Deletes the runs of the comma-separated ids that exist (and the caller sees); none of them is NOT_FOUND. */
    int deleteRuns(String runIds) {
        writer();
        long[] ids = List.of(runIds.split(",", -1)).stream().map(String::strip)
                .mapToLong(id -> TrainTrackIds.RUN.parseField("run_id", id)).toArray();
        String[] seen = seenProjects();
        List<Long> visible = jdbc.queryForList("select r.id" + TRAINING_RUNS
                + " and r.id = any(?) and (?::text[] is null or p.name = any(?::text[]))", Long.class, ids, seen, seen);
        int deleted = runDeletion.deleteRuns(visible.stream().mapToLong(Long::longValue).toArray());
        if (deleted == 0) {
            throw ApiException.notFound("run", runIds);
        }
        return deleted;
    }

    @Transactional
    TrainTrackJson.Run updateStatus(String runId, String status) {
        writer();
        long id = TrainTrackIds.RUN.parseField("run_id", runId);
        trainingRun(id, runId);
        Run run = runs.findById(id).orElseThrow(() -> ApiException.notFound("run", runId));
        lifecycle.changeStatus(run, RunStatus.valueOf(status.toUpperCase()));
        return run(run);
    }

    // Losses and metrics

    /**
     * Stores the points, one transaction per run: all or none, since every run and step is checked before the first
     * is stored. A step already logged keeps its first value, as in logMetrics.
     */
    List<TrainTrackJson.Point> log(List<TrainTrackJson.Point> points) {
        writer();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Map<Long, List<MetricPointInput>> byRun = new LinkedHashMap<>();
        List<TrainTrackJson.Point> stamped = new ArrayList<>();
        for (TrainTrackJson.Point p : points) {
            long run = TrainTrackIds.RUN.parseField("run_id", p.runId());
            if (!byRun.containsKey(run)) {
                trainingRun(run, p.runId());
            }
            if (p.step() < 0) {
                throw ApiException.badInput("step must be >= 0, got " + p.step());
            }
            TrainTrackJson.Point point = new TrainTrackJson.Point(p.runId(), p.step(), p.split(), p.metricName(),
                    p.value(), now);
            stamped.add(point);
            byRun.computeIfAbsent(run, r -> new ArrayList<>()).add(input(point));
        }
        byRun.forEach((run, inputs) -> ingest.log(run, PointBatch.ofPoints(inputs, limits), null));
        return stamped;
    }

    /**
     * The run's losses (metricNames null) or metrics, by step; a series of more than trackstack.limits.max-points
     * points is answered downsampled to that many, as the series query would.
     */
    List<TrainTrackJson.Point> points(String runId, List<String> names, String split, Integer limit) {
        long run = TrainTrackIds.RUN.parseField("run_id", runId);
        trainingRun(run, runId);
        if (limit != null && limit < 1) {
            throw ApiException.badInput("limit must be at least 1, got " + limit);
        }
        SeriesQuery.Selection selection = seriesQuery.select(new long[] {run}, names,
                split == null ? null : List.of(split), limits.maxPoints(), 0, Long.MAX_VALUE, points -> { });
        List<TrainTrackJson.Point> points = new ArrayList<>();
        for (Series series : seriesQuery.read(selection)) {
            String metric = LOSS.equals(series.name()) ? null : series.name();
            for (SeriesPoint p : series.points()) {
                points.add(new TrainTrackJson.Point(runId, p.step(), series.split(), metric, p.value(), p.time()));
            }
        }
        points.sort(Comparator.comparingLong(TrainTrackJson.Point::step)
                .thenComparing(p -> p.split() == null ? "" : p.split())
                .thenComparing(p -> p.metricName() == null ? "" : p.metricName()));
        return limit == null || limit >= points.size() ? points : points.subList(0, limit);
    }

    private static MetricPointInput input(TrainTrackJson.Point p) {
        return new MetricPointInput(p.metricName() == null ? LOSS : p.metricName(), p.split(), p.step(), p.value(),
                p.createdAt());
    }

    // Access

    private static Caller writer() {
        Caller caller = Caller.current();
        if (!caller.write()) {
            throw ApiException.forbidden("This token is read-only (scope READ): it cannot change anything");
        }
        return caller;
    }

    private static String[] seenProjects() {
        Set<String> projects = Caller.current().projects();
        return projects == null ? null : projects.toArray(String[]::new);
    }

    /** The model, if the caller sees it; else NOT_FOUND, as for no such model. */
    private TrainTrackJson.Model model(long id) {
        List<TrainTrackJson.Model> found = jdbc.query(MODELS + " where m.id = ?", this::modelRow, id);
        if (found.isEmpty() || !Caller.current().sees(found.get(0).projectName())) {
            throw ApiException.notFound("model", TrainTrackIds.MODEL.of(id));
        }
        return found.get(0);
    }

    /** The ids of the project's models; NOT_FOUND for no such project, or one outside the token. */
    private List<Long> modelsOfProject(String projectName) {
        List<Long> ids = Caller.current().sees(projectName) ? jdbc.queryForList(
                "select m.id from model m join project p on p.id = m.project_id where p.name = ? order by m.id",
                Long.class, projectName) : List.of();
        if (ids.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "No project named " + projectName
                    + " with models");
        }
        return ids;
    }

    /** The training run, if the caller sees it; else NOT_FOUND. */
    private void trainingRun(long id, String shownId) {
        List<String> projects = jdbc.query(RUNS + " and r.id = ?", (rs, i) -> rs.getString(6), id);
        if (projects.isEmpty() || !Caller.current().sees(projects.get(0))) {
            throw ApiException.notFound("run", shownId);
        }
    }

    private TrainTrackJson.Model modelRow(ResultSet rs, int row) throws SQLException {
        return new TrainTrackJson.Model(TrainTrackIds.MODEL.of(rs.getLong(1)), rs.getString(2), rs.getString(3),
                rs.getObject(4, OffsetDateTime.class));
    }

    private TrainTrackJson.Run runRow(ResultSet rs, int row) throws SQLException {
        return new TrainTrackJson.Run(TrainTrackIds.RUN.of(rs.getLong(1)), TrainTrackIds.MODEL.of(rs.getLong(2)),
                rs.getString(3), status(RunStatus.valueOf(rs.getString(4))), rs.getObject(5, OffsetDateTime.class));
    }

    private static TrainTrackJson.Run run(Run run) {
        return new TrainTrackJson.Run(TrainTrackIds.RUN.of(run.getId()), TrainTrackIds.MODEL.of(run.getModelId()),
                run.getHyperparameters(), status(run.getStatus()), run.getCreatedAt());
    }

    /** TrainTrack knows running, completed and failed; a run that crashed (stopped heartbeating) failed. */
    private static String status(RunStatus status) {
        return status == RunStatus.CRASHED ? "failed" : status.name().toLowerCase();
    }
}
