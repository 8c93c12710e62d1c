package dev.trackstack.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.trackstack.live.RunEvent;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Starts runs of every kind (createRun, createEvalRun) with the same checks of their arguments. */
@Service
public class RunCreation {

    private final RunRepository runs;
    private final JsonMapper json;
    private final RunLifecycle lifecycle;
    private final TrackstackProperties.Limits limits;

    RunCreation(RunRepository runs, JsonMapper json, RunLifecycle lifecycle, TrackstackProperties properties) {
        this.runs = runs;
        this.json = json;
        this.lifecycle = lifecycle;
        this.limits = properties.limits();
    }

    /** A RUNNING run of the model; hyperparameters must be a JSON object (or null for none). */
    @Transactional
    public Run create(String modelId, RunKind kind, String name, Object hyperparameters, List<String> tags,
            String notes) {
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
        Run run = runs.save(new Run(model, kind, name, params, tagList, notes));
        lifecycle.publish(RunEvent.Type.CREATED, run.getId());
        return run;
    }

    List<String> checkTags(List<String> tags) {
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
            return 1 + map.values().stream().mapToInt(RunCreation::depth).max().orElse(0);
        }
        if (value instanceof List<?> list) {
            return 1 + list.stream().mapToInt(RunCreation::depth).max().orElse(0);
        }
        return 0;
    }

    static void checkLength(String what, String value, int limit) {
        if (value != null && value.length() > limit) {
            throw ApiException.limit(what + " of " + value.length() + " characters", limit);
        }
    }
}
