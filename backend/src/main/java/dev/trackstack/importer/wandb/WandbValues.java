package dev.trackstack.importer.wandb;

import java.util.List;
import java.util.function.BiConsumer;

import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.DoubleNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * W&B's values: each item's value_json is extended JSON (NaN, Infinity); an item names its place by key or by
 * nested_key (a path), and a JSON object value nests further. Leaves are named by their path joined with ".", as W&B
 * names nested metrics; an object with a "_type" (an image, a histogram, a table) is one media value, not a nesting.
 */
final class WandbValues {

    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private WandbValues() {
    }

    /** The value, or the text itself as a string when it is not JSON. */
    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            return StringNode.valueOf(json);
        }
    }

    /** A history or system metric value: the plain numbers most of them are need no JSON parser. */
    static JsonNode parseMetric(String json) {
        if (!json.isEmpty() && (Character.isDigit(json.charAt(0)) || json.charAt(0) == '-')) {
            try {
                return DoubleNode.valueOf(Double.parseDouble(json));
            } catch (NumberFormatException e) {
                // not a plain number: JSON says what it is
            }
        }
        return parse(json);
    }

    static List<String> path(String key, List<String> nestedKey) {
        return nestedKey.isEmpty() ? List.of(key) : nestedKey;
    }

    /** Sets the value at the path, making the objects on the way. */
    static void set(ObjectNode tree, List<String> path, JsonNode value) {
        ObjectNode parent = tree;
        for (String key : path.subList(0, path.size() - 1)) {
            JsonNode child = parent.get(key);
            parent = child instanceof ObjectNode object ? object : parent.putObject(key);
        }
        parent.set(path.get(path.size() - 1), value);
    }

    static void remove(ObjectNode tree, List<String> path) {
        JsonNode parent = tree;
        for (String key : path.subList(0, path.size() - 1)) {
            parent = parent.path(key);
        }
        if (parent instanceof ObjectNode object) {
            object.remove(path.get(path.size() - 1));
        }
    }

    /** Every leaf of the tree with its W&B name: numbers, media objects and other values. */
    static void forEachLeaf(JsonNode tree, BiConsumer<String, JsonNode> leaf) {
        forEachLeaf(tree, null, leaf);
    }

    private static void forEachLeaf(JsonNode node, String name, BiConsumer<String, JsonNode> leaf) {
        if (node.isObject() && !isMedia(node) && (name == null || !node.isEmpty())) {
            for (var field : node.properties()) {
                forEachLeaf(field.getValue(), name == null ? field.getKey() : name + "." + field.getKey(), leaf);
            }
        } else {
            leaf.accept(name, node);
        }
    }

    static boolean isMedia(JsonNode node) {
        return node.isObject() && node.path("_type").isString();
    }

    /** What a value that is not a number is, for the unmapped lines: its media type, or its JSON type. */
    static String kind(JsonNode value) {
        if (isMedia(value)) {
            return value.get("_type").asString();
        }
        return switch (value.getNodeType()) {
            case STRING -> "string";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case ARRAY -> "list";
            case OBJECT -> "empty object";
            default -> value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
