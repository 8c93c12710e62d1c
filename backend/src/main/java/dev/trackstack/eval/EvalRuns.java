package dev.trackstack.eval;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunCreation;
import dev.trackstack.run.RunKind;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Eval runs: runs of kind EVAL with what they ran on (eval_run). */
@Service
class EvalRuns {

    /**
     * The eval side of a run. aggregates is EvalAggregates as JSON, without expected (which is derived).
     *
     * @param itemCount the dataset version's items
     */
    record Evaluation(long runId, long projectId, long datasetVersionId, int itemCount, String promptName,
            Integer promptVersion, String settings, int repetitions, String aggregates) {
    }

    private static final String EVALUATION = """
            select e.run_id, d.project_id, e.dataset_version_id, v.item_count, e.prompt_name, e.prompt_version,
                   e.settings::text, e.repetitions, e.aggregates::text
            from eval_run e join eval_dataset_version v on v.id = e.dataset_version_id
            join eval_dataset d on d.id = v.dataset_id
            """;

    private final JdbcTemplate jdbc;
    private final RunCreation creation;
    private final TrackstackProperties.Limits limits;

    EvalRuns(JdbcTemplate jdbc, RunCreation creation, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.creation = creation;
        this.limits = properties.limits();
    }

    @Transactional
    Run create(String modelId, String datasetVersionId, String name, String promptName, Integer promptVersion,
            Object settings, List<String> tags, String notes, int repetitions) {
        if (repetitions < 1 || repetitions > limits.evalRepetitions()) {
            throw ApiException.limit("repetitions = " + repetitions + " (it must also be >= 1)",
                    limits.evalRepetitions());
        }
        if (promptName != null && (promptName.isBlank() || promptName.length() > limits.nameLength())) {
            throw ApiException.badInput("promptName must be 1 to " + limits.nameLength() + " characters");
        }
        if (promptVersion != null && promptVersion < 1) {
            throw ApiException.badInput("promptVersion must be >= 1, got " + promptVersion);
        }
        long version = Ids.parse(datasetVersionId, "dataset version");
        boolean sameProject = Boolean.TRUE.equals(jdbc.queryForObject("""
                select exists (select from eval_dataset_version v join eval_dataset d on d.id = v.dataset_id
                               join model m on m.project_id = d.project_id where v.id = ? and m.id = ?)
                """, Boolean.class, version, Ids.parse(modelId, "model")));
        if (!sameProject && runsModelExists(modelId)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "No dataset version with id " + datasetVersionId
                    + " in the model's project");
        }
        Run run = creation.create(modelId, RunKind.EVAL, name, settings, tags, notes);
        jdbc.update("""
                insert into eval_run (run_id, dataset_version_id, prompt_name, prompt_version, settings, repetitions)
                select r.id, ?, ?, ?, r.hyperparameters, ? from run r where r.id = ?
                """, version, promptName, promptVersion, repetitions, run.getId());
        return run;
    }

    /** The evaluations of these runs (those of kind EVAL), by run id. */
    Map<Long, Evaluation> evaluations(Long[] runIds) {
        Map<Long, Evaluation> found = new HashMap<>();
        jdbc.query(EVALUATION + " where e.run_id = any(?)", rs -> {
            found.put(rs.getLong(1), evaluation(rs));
        }, (Object) runIds);
        return found;
    }

    /**
     * The evaluation of an eval run, locked against other writes of its results when {@code lock}: NOT_FOUND for
     * no run, NOT_EVAL_RUN for a training run.
     */
    Evaluation evaluation(String runId, boolean lock) {
        long id = Ids.parse(runId, "run");
        List<Evaluation> found = jdbc.query(EVALUATION + " where e.run_id = ?" + (lock ? " for update of e" : ""),
                (rs, i) -> evaluation(rs), id);
        if (!found.isEmpty()) {
            return found.get(0);
        }
        if (jdbc.queryForList("select id from run where id = ?", Long.class, id).isEmpty()) {
            throw ApiException.notFound("run", runId);
        }
        throw new ApiException(ErrorCode.NOT_EVAL_RUN, "Run " + runId + " is not an eval run");
    }

    /** An unknown model is createRun's NOT_FOUND, with its message. */
    private boolean runsModelExists(String modelId) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select from model where id = ?)",
                Boolean.class, Ids.parse(modelId, "model")));
    }

    private static Evaluation evaluation(ResultSet rs) throws SQLException {
        return new Evaluation(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                (Integer) rs.getObject(6), rs.getString(7), rs.getInt(8), rs.getString(9));
    }
}
