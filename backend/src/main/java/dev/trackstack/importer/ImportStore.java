package dev.trackstack.importer;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.trackstack.console.ConsoleLineInput;
import dev.trackstack.console.ConsoleStore;
import dev.trackstack.live.RunEvent;
import dev.trackstack.media.MediaIngest;
import dev.trackstack.metric.LogResult;
import dev.trackstack.metric.MetricIngest;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.project.ModelCreation;
import dev.trackstack.run.RunCreation;
import dev.trackstack.run.RunKind;
import dev.trackstack.run.RunLifecycle;
import dev.trackstack.run.RunStatus;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Where imports write: runs through RunCreation, points through MetricIngest (the path of logMetrics), media through
 * MediaIngest (logMedia's), text through the console store, and the jobs' own rows.
 */
@Service
class ImportStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ModelCreation models;
    private final RunCreation runs;
    private final RunLifecycle lifecycle;
    private final MetricIngest ingest;
    private final ConsoleStore console;
    private final MediaIngest media;

    ImportStore(JdbcTemplate jdbc, TransactionTemplate transaction, ModelCreation models, RunCreation runs,
            RunLifecycle lifecycle, MetricIngest ingest, ConsoleStore console, MediaIngest media) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.models = models;
        this.runs = runs;
        this.lifecycle = lifecycle;
        this.ingest = ingest;
        this.console = console;
        this.media = media;
    }

    /** A run and whether this call made it. */
    record StoredRun(long id, boolean created) {
    }

    /**
     * The run of the model with the import key, made when there is none. The run and its key are written in one
     * transaction, so a run is never left without its key (which would make a second import duplicate it).
     */
    StoredRun run(String model, ImportedRun run) {
        long modelId = models.create(run.project(), model).getId();
        Optional<Long> existing = find(modelId, run.key());
        if (existing.isPresent()) {
            return new StoredRun(existing.get(), false);
        }
        try {
            return new StoredRun(transaction.execute(status -> {
                long id = runs.create(Long.toString(modelId), RunKind.TRAINING, run.name(), run.hyperparameters(),
                        run.tags(), run.notes()).getId();
                jdbc.update("update run set import_key = ?, created_at = coalesce(?, created_at) where id = ?",
                        run.key(), timestamp(run.startedAt()), id);
                return id;
            }), true);
        } catch (DuplicateKeyException e) {
            return new StoredRun(find(modelId, run.key()).orElseThrow(), false);  // another instance made it meanwhile
        }
    }

    private Optional<Long> find(long modelId, String key) {
        return jdbc.queryForList("select id from run where model_id = ? and import_key = ?", Long.class, modelId, key)
                .stream().findFirst();
    }

    LogResult points(long runId, List<MetricPointInput> points) {
        return ingest.log(runId, points, null);
    }

    /** The (name, step) pairs that hold media items of the run, as "name\0step". */
    Set<String> mediaSteps(long runId) {
        Set<String> steps = new HashSet<>();
        jdbc.query("select distinct name, step from media_item where run_id = ?", rs -> {
            steps.add(rs.getString(1) + "\0" + rs.getLong(2));
        }, runId);
        return steps;
    }

    MediaIngest.Logged media(long runId, List<Map<String, Object>> items) {
        return media.log(runId, items, null);
    }

    void console(long runId, List<ConsoleLineInput> lines) {
        console.log(runId, lines);
    }

    void finish(long runId, RunStatus status, Instant endedAt) {
        jdbc.update("update run set status = ?, finished_at = ? where id = ?", status.name(),
                status == RunStatus.RUNNING ? null : timestamp(endedAt == null ? Instant.now() : endedAt), runId);
        lifecycle.publish(RunEvent.Type.STATUS_CHANGED, runId);
    }

    long start(ImportFormat format, String source) {
        return jdbc.queryForObject("insert into import_job (format, source, state) values (?, ?, 'RUNNING') returning id",
                Long.class, format.name(), source);
    }

    void runRead(long jobId, int position, long runId) {
        jdbc.update("insert into import_job_run (job_id, position, run_id) values (?, ?, ?) on conflict do nothing",
                jobId, position, runId);
    }

    void progress(long jobId, JobSink.Counts counts) {
        jdbc.update(connection -> {
            var statement = connection.prepareStatement("""
                    update import_job set runs_read = ?, runs_created = ?, points_stored = ?, points_duplicate = ?,
                    unmapped = ? where id = ?
                    """);
            Array unmapped = connection.createArrayOf("text", counts.unmapped().toArray());
            statement.setInt(1, counts.runsRead());
            statement.setInt(2, counts.runsCreated());
            statement.setLong(3, counts.pointsStored());
            statement.setLong(4, counts.pointsDuplicate());
            statement.setArray(5, unmapped);
            statement.setLong(6, jobId);
            return statement;
        });
    }

    void end(long jobId, ImportJob.State state, String error) {
        jdbc.update("update import_job set state = ?, error = ?, finished_at = now() where id = ?", state.name(), error,
                jobId);
    }

    /** Jobs a stopped server left RUNNING: nothing will finish them. */
    int abandonRunning() {
        return jdbc.update("""
                update import_job set state = 'FAILED', finished_at = now(),
                error = 'The server stopped during the import. Import the source again to finish it: nothing is stored twice.'
                where state = 'RUNNING'
                """);
    }

    Optional<ImportJob> job(long id) {
        return jdbc.query("""
                select id, format, source, state, runs_read, runs_created, points_stored, points_duplicate, unmapped,
                       error, started_at, finished_at
                from import_job where id = ?
                """, (rs, n) -> new ImportJob(rs.getString(1), ImportFormat.valueOf(rs.getString(2)), rs.getString(3),
                ImportJob.State.valueOf(rs.getString(4)), rs.getInt(5), rs.getInt(6), rs.getLong(7), rs.getLong(8),
                List.of((String[]) rs.getArray(9).getArray()), rs.getString(10),
                rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class)), id)
                .stream().findFirst();
    }

    List<Long> runIds(long jobId) {
        return jdbc.queryForList("select run_id from import_job_run where job_id = ? order by position", Long.class,
                jobId);
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
