package dev.trackstack.importer.wandb;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.metric.MetricPointInput;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mapping of one W&B run's values, wherever they are read from (a run file, a W&B server): config to
 * hyperparameters, history rows and system metric samples to points, and what of them is not imported, counted for
 * the unmapped lines at the end.
 */
final class RunValues {

    /** History keys that are the row's own step and time, not metrics. */
    static final Set<String> ROW_KEYS = Set.of("_step", "_timestamp", "_runtime");

    private final String id;
    private final Set<String> historyNames = new HashSet<>();
    private final Map<ValueKind, Long> unmappedValues = new LinkedHashMap<>();

    /** Values of a key that are not numbers: what they are, e.g. image-file or string. */
    private record ValueKind(String where, String kind) {
    }

    RunValues(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    /** The config as hyperparameters: each value unwrapped; "_wandb" reported, not imported. */
    Map<String, Object> hyperparameters(ObjectNode config, ImportSink sink) {
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        for (var item : config.properties()) {
            if (item.getKey().equals("_wandb")) {
                sink.unmapped("run " + id + ": config \"_wandb\" (W&B's own settings and telemetry) not imported");
                continue;
            }
            hyperparameters.put(item.getKey(), WandbValues.JSON.treeToValue(unwrap(item.getValue()), Object.class));
        }
        return hyperparameters;
    }

    /** A config value as W&B's config.yaml and server wrap it, {"value": v, "desc": d}, is v. */
    private static JsonNode unwrap(JsonNode value) {
        boolean wrapped = value.isObject() && value.has("value") && (value.size() == 1
                || value.size() == 2 && value.has("desc"));
        return wrapped ? value.get("value") : value;
    }

    /** A row of history: its numbers become points at the step, at the time. */
    void history(ObjectNode row, long step, Instant time, List<MetricPointInput> points) {
        history(row, step, time, points, (name, value) -> false);
    }

    /** A row of history, whose media values go to media first: those it does not take are counted unmapped. */
    void history(ObjectNode row, long step, Instant time, List<MetricPointInput> points,
            BiPredicate<String, JsonNode> media) {
        WandbValues.forEachLeaf(row, (name, value) -> {
            if (ROW_KEYS.contains(name)) {
                return;
            }
            historyNames.add(name);
            if (value.isNumber()) {
                points.add(point(name, step, value.asDouble(), time));
            } else if (!WandbValues.isMedia(value) || !media.test(name, value)) {
                unmappedValues.merge(new ValueKind("history \"" + name + "\"", WandbValues.kind(value)), 1L,
                        Long::sum);
            }
        });
    }

    /** A system metric sample, stepped by its Unix time in whole seconds as the Python client steps its own. */
    void systemMetric(String key, JsonNode value, Instant time, List<MetricPointInput> points) {
        if (value.isNumber()) {
            SystemMetricNames.Target target = SystemMetricNames.of(key);
            points.add(point(target.name(), time.getEpochSecond(), value.asDouble() * target.factor(), time));
        } else {
            unmappedValues.merge(new ValueKind("system metric \"" + key + "\"", WandbValues.kind(value)), 1L,
                    Long::sum);
        }
    }

    /** The values that were not numbers, and the summary values whose name never appeared in the history. */
    void reportUnmapped(ObjectNode summary, ImportSink sink) {
        String run = "run " + id + ": ";
        unmappedValues.forEach((value, count) -> sink.unmapped(run + value.where() + ": " + count + " " + value.kind()
                + (count == 1 ? " value" : " values") + " not imported"));
        Set<String> summaryOnly = new LinkedHashSet<>();
        WandbValues.forEachLeaf(summary, (name, value) -> {
            if (!historyNames.contains(name) && !ROW_KEYS.contains(name) && !name.startsWith("_wandb.")) {
                String shown = WandbValues.isMedia(value) ? "a " + WandbValues.kind(value) : value.toString();
                summaryOnly.add("summary \"" + name + "\" = " + (shown.length() > 100 ? shown.substring(0, 100)
                        + "…" : shown) + " (not in its history)");
            }
        });
        summaryOnly.forEach(line -> sink.unmapped(run + line));
    }

    private static MetricPointInput point(String name, long step, double value, Instant time) {
        return new MetricPointInput(name, null, step, value, time == null ? null : time.atOffset(ZoneOffset.UTC));
    }

    /** Seconds since the epoch as W&B's _timestamp has them, to the microsecond. */
    static Instant seconds(double seconds) {
        return Instant.EPOCH.plusNanos(Math.round(seconds * 1e6) * 1000);
    }
}
