package dev.trackstack.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private final TrackstackProperties.Limits limits;

    RunController(RunRepository runs, RunSearch search, RunDeletion deletion, JsonMapper json,
            RunLifecycle lifecycle, TrackstackProperties properties) {
        this.runs = runs;
        this.search = search;
        this.deletion = deletion;
        this.json = json;
        this.lifecycle = lifecycle;
        this.limits = properties.limits();
    }

    @QueryMapping
    Run run(@Argument String id) {
        return runs.findById(Ids.parse(id, "run")).orElse(null);
    }

    @QueryMapping
    RunConnection runs(@Argument String project, @Argument String modelId, @Argument RunFilter filter,
            @Argument List<RunOrder> orderBy, @Argument Integer first, @Argument String after) {
        Long model = modelId == null ? null : Ids.parse(modelId, "model");
        return search.search(project, model, Caller.current().projects(), filter, orderBy, first, after);
    }

    @MutationMapping
    @Transactional
    Run createRun(@Argument String modelId, @Argument String name, @Argument Object hyperparameters,
            @Argument List<String> tags, @Argument String notes) {
        long model = Ids.parse(modelId, "model");
        if (!runs.modelExists(model)) {
            throw ApiException.notFound("model", modelId);
        }
        checkLength("name", name, limits.nameLength());
        checkLength("notes", notes, limits.notesLength());
        List<String> tagList = checkTags(tags);
        if (hyperparameters != null && !(hyperparameters instanceof Map)) {
            throw ApiException.badInput("hyperparameters must be a JSON object, got " + hyperparameters);
        }
        int depth = depth(hyperparameters);
        if (depth > limits.hyperparameterDepth()) {
            throw ApiException.limit("hyperparameters nested " + depth + " deep", limits.hyperparameterDepth());
        }
        String params = json.writeValueAsString(hyperparameters == null ? Map.of() : hyperparameters);
        if (params.length() > limits.hyperparameterBytes()) {
            throw ApiException.limit("hyperparameters of " + params.length() + " bytes", limits.hyperparameterBytes());
        }
        Run run = runs.save(new Run(model, name, params, tagList, notes));
        lifecycle.publish(RunEvent.Type.CREATED, run.getId());
        return run;
    }

    /** Arguments left out keep their value; an explicit null clears the name or notes. */
    @MutationMapping
    @Transactional
    Run updateRun(@Argument String runId, ArgumentValue<String> name, ArgumentValue<String> notes,
            ArgumentValue<List<String>> tags) {
        Run run = find(runId);
        if (!name.isOmitted()) {
            checkLength("name", name.value(), limits.nameLength());
            run.rename(name.value());
        }
        if (!notes.isOmitted()) {
            checkLength("notes", notes.value(), limits.notesLength());
            run.setNotes(notes.value());
        }
        if (!tags.isOmitted()) {
            run.setTags(checkTags(tags.value()));
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
    Run updateRunStatus(@Argument String runId, @Argument RunStatus status) {
        Run run = find(runId);
        lifecycle.changeStatus(run, status);
        return run;
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

    private List<String> checkTags(List<String> tags) {
        List<String> checked = tags == null ? new ArrayList<>() : new ArrayList<>(tags);
        if (checked.size() > limits.tagsPerRun()) {
            throw ApiException.limit(checked.size() + " tags", limits.tagsPerRun());
        }
        for (String tag : checked) {
            if (tag.isBlank()) {
                throw ApiException.badInput("A tag must not be empty");
            }
            checkLength("tag", tag, limits.nameLength());
        }
        return checked;
    }

    /** Nesting depth of a JSON value ({@code {}} is 1, a scalar 0). */
    private static int depth(Object value) {
        if (value instanceof Map<?, ?> map) {
            return 1 + map.values().stream().mapToInt(RunController::depth).max().orElse(0);
        }
        if (value instanceof List<?> list) {
            return 1 + list.stream().mapToInt(RunController::depth).max().orElse(0);
        }
        return 0;
    }

    private static void checkLength(String what, String value, int limit) {
        if (value != null && value.length() > limit) {
            throw ApiException.limit(what + " of " + value.length() + " characters", limit);
        }
    }
}
