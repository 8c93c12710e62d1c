package dev.trackstack.run;

import java.util.List;
import java.util.OptionalLong;

import dev.trackstack.auth.Caller;
import dev.trackstack.live.RunEvent;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.graphql.data.ArgumentValue;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

@Controller
class RunController {

    private final RunRepository runs;
    private final RunSearch search;
    private final RunDeletion deletion;
    private final JsonMapper json;
    private final RunLifecycle lifecycle;
    private final RunCreation creation;
    private final TrackstackProperties.Limits limits;

    RunController(RunRepository runs, RunSearch search, RunDeletion deletion, JsonMapper json,
            RunLifecycle lifecycle, RunCreation creation, TrackstackProperties properties) {
        this.creation = creation;
        this.runs = runs;
        this.search = search;
        this.deletion = deletion;
        this.json = json;
        this.lifecycle = lifecycle;
        this.limits = properties.limits();
    }

    /** Null for an id that is not a run's, whether it could be one or not (the field is nullable). */
    @QueryMapping
    Run run(@Argument String id) {
        OptionalLong key = Ids.find(id);
        return key.isPresent() ? runs.findById(key.getAsLong()).orElse(null) : null;
    }

    @QueryMapping
    RunConnection runs(@Argument String project, @Argument String modelId, @Argument RunFilter filter,
            @Argument List<RunOrder> orderBy, @Argument Integer first, @Argument String after) {
        Long model = modelId == null ? null : Ids.parse(modelId, "model");
        return search.search(project, model, Caller.current().projects(), filter, orderBy, first, after);
    }

    @MutationMapping
    Run createRun(@Argument String modelId, @Argument String name, @Argument Object hyperparameters,
            @Argument List<String> tags, @Argument String notes) {
        return creation.create(modelId, RunKind.TRAINING, name, hyperparameters, tags, notes);
    }

    /** Arguments left out keep their value; an explicit null clears the name or notes. */
    @MutationMapping
    @Transactional
    Run updateRun(@Argument String runId, ArgumentValue<String> name, ArgumentValue<String> notes,
            ArgumentValue<List<String>> tags) {
        Run run = find(runId);
        if (!name.isOmitted()) {
            RunCreation.checkLength("name", name.value(), limits.nameLength());
            run.rename(name.value());
        }
        if (!notes.isOmitted()) {
            RunCreation.checkLength("notes", notes.value(), limits.notesLength());
            run.setNotes(notes.value());
        }
        if (!tags.isOmitted()) {
            run.setTags(creation.checkTags(tags.value()));
        }
        lifecycle.publish(RunEvent.Type.UPDATED, run.getId());
        return run;
    }

    @MutationMapping
    @Transactional
    Run heartbeat(@Argument String runId) {
        long id = Ids.parse(runId, "run");
        if (!lifecycle.heartbeat(id)) {
            throw ApiException.notFound("run", runId);
        }
        return runs.findById(id).orElseThrow();
    }

    @MutationMapping
    @Transactional
    Run updateRunStatus(@Argument String runId, @Argument RunStatus status, @Argument RunFailure failure) {
        Run run = find(runId);
        lifecycle.changeStatus(run, status, failure == null ? null : json.writeValueAsString(failure.checked()));
        return run;
    }

    @SchemaMapping
    RunFailure failure(Run run) {
        return run.getFailure() == null ? null : json.readValue(run.getFailure(), RunFailure.class);
    }

    @SchemaMapping(typeName = "RunEvent")
    Run run(RunEvent event) {
        return event.type() == RunEvent.Type.DELETED ? null : runs.findById(event.runId()).orElse(null);
    }

    @MutationMapping
    int deleteRuns(@Argument List<String> ids) {
        return deletion.deleteRuns(Ids.parseAll(ids));
    }

    @SchemaMapping
    Object hyperparameters(Run run) {
        return json.readValue(run.getHyperparameters(), Object.class);
    }

    private Run find(String runId) {
        return runs.findById(Ids.parse(runId, "run")).orElseThrow(() -> ApiException.notFound("run", runId));
    }
}
