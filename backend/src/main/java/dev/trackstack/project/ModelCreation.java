package dev.trackstack.project;

import dev.trackstack.run.RunDeletion;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Makes and removes models, for createModel/deleteModel and TrainTrack's /models/ alike. */
@Service
public class ModelCreation {

    private final ModelRepository models;
    private final RunDeletion runDeletion;
    private final JdbcTemplate jdbc;
    private final ProjectIds projectIds;
    private final TrackstackProperties.Limits limits;

    ModelCreation(ModelRepository models, RunDeletion runDeletion, JdbcTemplate jdbc, ProjectIds projectIds,
            TrackstackProperties properties) {
        this.models = models;
        this.runDeletion = runDeletion;
        this.jdbc = jdbc;
        this.projectIds = projectIds;
        this.limits = properties.limits();
    }

    /** Get-or-create, as its project; insert … on conflict makes concurrent first calls agree on one row. */
    @Transactional
    public Model create(String project, String name) {
        checkName("project", project);
        checkName("name", name);
        long projectId = projectIds.getOrCreate(project);
        jdbc.update("insert into model (project_id, name, created_at) values (?, ?, now()) "
                + "on conflict (project_id, name) do nothing", projectId, name);
        return models.findByProjectIdAndName(projectId, name).orElseThrow();
    }

    /** Removes the model with its runs and their points; {@code shownId} is the id as the caller gave it. */
    @Transactional
    public void delete(long modelId, Object shownId) {
        if (!models.existsById(modelId)) {
            throw ApiException.notFound("model", shownId);
        }
        runDeletion.deleteRunsOfModels(new long[] {modelId});
        models.deleteById(modelId);
    }

    private void checkName(String what, String value) {
        if (value.isBlank() || value.length() > limits.nameLength()) {
            throw ApiException.badInput(what + " must be 1 to " + limits.nameLength() + " characters");
        }
    }
}
