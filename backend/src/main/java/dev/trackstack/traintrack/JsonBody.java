package dev.trackstack.traintrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.system.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fields of a TrainTrack request body, checked as TrainTrack's (pydantic) schemas check them; a body or field
 * that does not fit is BAD_USER_INPUT, which TrainTrack's API answers with 422.
 */
final class JsonBody {

    private final JsonNode node;
    private final String where;

    private JsonBody(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    static JsonBody of(JsonNode node) {
        return of(node, "The body");
    }

    private static JsonBody of(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw ApiException.badInput(where + " must be a JSON object");
        }
        return new JsonBody(node, where);
    }

    /**
     * The bodies of a batch: a JSON array of them, or an object whose one field holds that array (as a pydantic
     * wrapper model would send it).
     */
    static List<JsonBody> list(JsonNode node) {
        JsonNode array = node;
        if (node != null && node.isObject() && node.size() == 1) {
            array = node.values().iterator().next();
        }
        if (array == null || !array.isArray()) {
            throw ApiException.badInput("The body must be a JSON array of points");
        }
        List<JsonBody> bodies = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            bodies.add(of(array.get(i), "Point [" + i + "]"));
        }
        return bodies;
    }

    String text(String field) {
        JsonNode value = required(field);
        if (!value.isString()) {
            throw invalid(field, "a string");
        }
        return value.stringValue();
    }

    /** A string from the given choices. */
    String choice(String field, Set<String> choices) {
        String value = text(field);
        if (!choices.contains(value)) {
            throw ApiException.badInput(where + ": " + field + " must be one of " + String.join(", ", choices)
                    + "; got " + value);
        }
        return value;
    }

    long integer(String field) {
        JsonNode value = required(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(field, "an integer");
        }
        return value.longValue();
    }

    double number(String field) {
        JsonNode value = required(field);
        if (!value.isNumber()) {
            throw invalid(field, "a number");
        }
        return value.doubleValue();
    }

    /** An optional JSON object, as a map; absent or null is null. */
    Map<?, ?> object(String field, JsonMapper json) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw invalid(field, "a JSON object");
        }
        return json.treeToValue(value, Map.class);
    }

    private JsonNode required(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.badInput(where + ": " + field + " is required");
        }
        return value;
    }

    private ApiException invalid(String field, String kind) {
        return ApiException.badInput(where + ": " + field + " must be " + kind + ", got " + node.get(field));
    }
}
