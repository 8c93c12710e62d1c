package dev.trackstack.project;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunConnection;
import dev.trackstack.run.RunFilter;
import dev.trackstack.run.RunOrder;
import dev.trackstack.run.RunSearch;
import dev.trackstack.system.Ids;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

@Controller
class ModelController {

    private final ModelRepository models;
    private final ProjectRepository projects;
    private final RunSearch runSearch;
    private final ModelCreation creation;

    ModelController(ModelRepository models, ProjectRepository projects, RunSearch runSearch,
            ModelCreation creation) {
        this.models = models;
        this.projects = projects;
        this.runSearch = runSearch;
        this.creation = creation;
    }

    @QueryMapping
    Model model(@Argument String id) {
        OptionalLong key = Ids.find(id);
        return key.isPresent() ? models.findById(key.getAsLong()).orElse(null) : null;
    }

    @MutationMapping
    Model createModel(@Argument String project, @Argument String name) {
        return creation.create(project, name);
    }

    @MutationMapping
    boolean deleteModel(@Argument String id) {
        creation.delete(Ids.parse(id, "model"), id);
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

}
