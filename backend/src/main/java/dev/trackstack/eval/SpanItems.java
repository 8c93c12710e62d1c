package dev.trackstack.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.ErrorCode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Traced LLM calls as dataset items: input from the span's input messages (or prompt), expected from its output
 * messages (or completion), read from the attribute conventions that docs/tracing.md lists for the conversation.
 */
@Component
class SpanItems {

    /** Attributes holding a whole input or output, first found wins; JSON text in them is parsed. */
    private static final List<String> INPUT_KEYS = List.of("gen_ai.input.messages", "input.value", "gen_ai.prompt");
    private static final List<String> OUTPUT_KEYS = List.of("gen_ai.output.messages", "output.value",
            "gen_ai.completion");
    /** Flattened message lists (prefix.N.field), tried when no whole value is there. */
    private static final List<String> INPUT_PREFIXES = List.of("gen_ai.prompt.", "llm.input_messages.");
    private static final List<String> OUTPUT_PREFIXES = List.of("gen_ai.completion.", "llm.output_messages.");

    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    SpanItems(JdbcTemplate jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The items (as addDatasetItems takes them) of the spans, in their order; every span must be in the project. */
    List<Map<String, Object>> items(String project, List<Map<String, Object>> spans) {
        List<byte[]> traces = new ArrayList<>();
        List<byte[]> spanIds = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            traces.add(EvalJson.hexId("spans[" + i + "].traceId", (String) spans.get(i).get("traceId"), 32));
            spanIds.add(EvalJson.hexId("spans[" + i + "].spanId", (String) spans.get(i).get("spanId"), 16));
        }
        Map<String, Map<String, Object>> found = new HashMap<>();
        jdbc.query("""
                select s.trace_id, s.span_id, s.attributes::text, s.name, s.model, s.provider, s.operation,
                       s.input_tokens, s.output_tokens, s.cost
                from span s join project p on p.id = s.project_id
                join unnest(?::bytea[], ?::bytea[]) as k(trace_id, span_id)
                  on s.trace_id = k.trace_id and s.span_id = k.span_id
                where p.name = ?
                """, rs -> {
            Map<String, Object> attributes = json.readValue(rs.getString(3), Map.class);
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("spanName", rs.getString(4));
            putIfPresent(metadata, "model", rs.getString(5));
            putIfPresent(metadata, "provider", rs.getString(6));
            putIfPresent(metadata, "operation", rs.getString(7));
            putIfPresent(metadata, "inputTokens", rs.getObject(8));
            putIfPresent(metadata, "outputTokens", rs.getObject(9));
            putIfPresent(metadata, "cost", rs.getBigDecimal(10) == null ? null : rs.getBigDecimal(10).doubleValue());
            Map<String, Object> parameters = new TreeMap<>();
            attributes.forEach((key, value) -> {
                if (key.startsWith("gen_ai.request.") && !key.equals("gen_ai.request.model")) {
                    parameters.put(key.substring("gen_ai.request.".length()), value);
                }
            });
            if (!parameters.isEmpty()) {
                metadata.put("parameters", parameters);
            }
            Map<String, Object> item = new HashMap<>();
            item.put("input", whole(attributes, INPUT_KEYS, INPUT_PREFIXES));
            item.put("expected", whole(attributes, OUTPUT_KEYS, OUTPUT_PREFIXES));
            item.put("metadata", metadata);
            item.put("sourceTraceId", EvalJson.hex(rs.getBytes(1)));
            item.put("sourceSpanId", EvalJson.hex(rs.getBytes(2)));
            found.put(EvalJson.hex(rs.getBytes(1)) + "/" + EvalJson.hex(rs.getBytes(2)), item);
        }, traces.toArray(byte[][]::new), spanIds.toArray(byte[][]::new), project);
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            String key = EvalJson.hex(traces.get(i)) + "/" + EvalJson.hex(spanIds.get(i));
            Map<String, Object> item = found.get(key);
            if (item == null) {
                throw new ApiException(ErrorCode.NOT_FOUND, "No span " + key + " in project " + project);
            }
            if (item.get("input") == null) {
                throw ApiException.badInput("Span " + key + " carries no input (see docs/api.md, Evals)");
            }
            items.add(item);
        }
        return items;
    }

    private Object whole(Map<String, Object> attributes, List<String> keys, List<String> prefixes) {
        for (String key : keys) {
            if (attributes.containsKey(key)) {
                return parsed(attributes.get(key));
            }
        }
        for (String prefix : prefixes) {
            List<Map<String, Object>> messages = flattened(attributes, prefix);
            if (!messages.isEmpty()) {
                return messages;
            }
        }
        return null;
    }

    /** prefix.N.field (or prefix.N.message.field) attributes as a list of {field: value}, by N. */
    private static List<Map<String, Object>> flattened(Map<String, Object> attributes, String prefix) {
        TreeMap<Integer, Map<String, Object>> byIndex = new TreeMap<>();
        attributes.forEach((key, value) -> {
            if (!key.startsWith(prefix)) {
                return;
            }
            String rest = key.substring(prefix.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot > 9 || !rest.substring(0, dot).chars().allMatch(Character::isDigit)) {
                return;
            }
            String field = rest.substring(dot + 1);
            field = field.startsWith("message.") ? field.substring("message.".length()) : field;
            byIndex.computeIfAbsent(Integer.parseInt(rest.substring(0, dot)), n -> new TreeMap<>()).put(field, value);
        });
        return new ArrayList<>(byIndex.values());
    }

    /** JSON text (as the GenAI conventions send messages) becomes its value; other text stays text. */
    private Object parsed(Object value) {
        if (value instanceof String text && (text.startsWith("[") || text.startsWith("{"))) {
            try {
                return json.readValue(text, Object.class);
            } catch (JacksonException e) {
                return text;
            }
        }
        return value;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
