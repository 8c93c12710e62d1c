package dev.trackstack.project;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunConnection;
import dev.trackstack.run.RunDeletion;
import dev.trackstack.run.RunFilter;
import dev.trackstack.run.RunOrder;
import dev.trackstack.run.RunSearch;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;

@Controller
class ModelController {

    private final ModelRepository models;
    private final ProjectRepository projects;
    private final RunDeletion runDeletion;
    private final RunSearch runSearch;
    private final JdbcTemplate jdbc;
    private final ProjectIds projectIds;
    private final TrackstackProperties.Limits limits;

    ModelController(ModelRepository models, ProjectRepository projects, RunDeletion runDeletion, RunSearch runSearch,
            JdbcTemplate jdbc, ProjectIds projectIds, TrackstackProperties properties) {
        this.models = models;
        this.projects = projects;
        this.runDeletion = runDeletion;
        this.runSearch = runSearch;
        this.jdbc = jdbc;
        this.projectIds = projectIds;
        this.limits = properties.limits();
    }

    @QueryMapping
    Model model(@Argument String id) {
        return models.findById(Ids.parse(id, "model")).orElse(null);
    }

    /** Get-or-create, as its project; insert … on conflict makes concurrent first calls agree on one row. */
    @MutationMapping
    @Transactional
    Model createModel(@Argument String project, @Argument String name) {
        checkName("project", project);
        checkName("name", name);
        long projectId = projectIds.getOrCreate(project);
        jdbc.update("insert into model (project_id, name, created_at) values (?, ?, now()) "
                + "on conflict (project_id, name) do nothing", projectId, name);
        return models.findByProjectIdAndName(projectId, name).orElseThrow();
    }

    @MutationMapping
    @Transactional
    boolean deleteModel(@Argument String id) {
        long modelId = Ids.parse(id, "model");
        if (!models.existsById(modelId)) {
            throw ApiException.notFound("model", id);
        }
        runDeletion.deleteRunsOfModels(new long[] {modelId});
        models.deleteById(modelId);
        return true;
    }

    @BatchMapping
    Map<Model, Project> project(List<Model> batch) {
        Map<Long, Project> byId = projects.findAllById(batch.stream().map(Model::getProjectId).distinct().toList())
                .stream().collect(Collectors.toMap(Project::getId, Function.identity()));
        return batch.stream().collect(Collectors.toMap(Function.identity(), m -> byId.get(m.getProjectId())));
    }

    @SchemaMapping
    RunConnection runs(Model model, @Argument RunFilter filter, @Argument List<RunOrder> orderBy,
            @Argument Integer first, @Argument String after) {
        // The model was reached through a project the caller sees.
        return runSearch.search(null, model.getId(), null, filter, orderBy, first, after);
    }

    @BatchMapping(typeName = "Run")
    Map<Run, Model> model(List<Run> batch) {
        Map<Long, Model> byId = models.findAllById(batch.stream().map(Run::getModelId).distinct().toList())
                .stream().collect(Collectors.toMap(Model::getId, Function.identity()));
        return batch.stream().collect(Collectors.toMap(Function.identity(), r -> byId.get(r.getModelId())));
    }

    private void checkName(String what, String value) {
        if (value.isBlank() || value.length() > limits.nameLength()) {
            throw ApiException.badInput(what + " must be 1 to " + limits.nameLength() + " characters");
        }
    }
}
