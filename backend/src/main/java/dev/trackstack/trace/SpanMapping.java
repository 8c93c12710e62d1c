package dev.trackstack.trace;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Lifts the fields that trace lists filter and sort on out of a span's attributes. Three generations of
 * conventions name them: the current OpenTelemetry GenAI conventions, their older forms (and OpenLLMetry's
 * {@code llm.*}), and OpenInference. For each field the first attribute present in its list below wins (the
 * table in docs/tracing.md); a change of these rules raises {@link #VERSION}, which each span keeps.
 */
final class SpanMapping {

    /** The version of the rules below. */
    static final int VERSION = 2;

    private static final List<String> OPERATION = List.of("gen_ai.operation.name", "llm.request.type");
    private static final List<String> PROVIDER = List.of("gen_ai.provider.name", "gen_ai.system", "llm.provider",
            "llm.system");
    private static final List<String> MODEL = List.of("gen_ai.request.model", "gen_ai.response.model",
            "llm.model_name", "llm.request.model", "llm.response.model");
    private static final List<String> INPUT_TOKENS = List.of("gen_ai.usage.input_tokens",
            "gen_ai.usage.prompt_tokens", "llm.usage.prompt_tokens", "llm.token_count.prompt");
    private static final List<String> OUTPUT_TOKENS = List.of("gen_ai.usage.output_tokens",
            "gen_ai.usage.completion_tokens", "llm.usage.completion_tokens", "llm.token_count.completion");
    private static final List<String> COST = List.of("llm.cost.total");
    private static final List<String> SESSION = List.of("gen_ai.conversation.id", "session.id");
    /** The prompt-registry version the call used (version 2 of these rules). */
    private static final List<String> PROMPT_NAME = List.of("gen_ai.prompt.name", "langfuse.observation.prompt.name");
    private static final List<String> PROMPT_VERSION = List.of("trackstack.prompt.version",
            "langfuse.observation.prompt.version", "llm.prompt_template.version");

    enum SpanType { LLM, TOOL, AGENT, RETRIEVER, EMBEDDING, CHAIN, SPAN }

    record Fields(SpanType type, String operation, String provider, String model, Long inputTokens,
            Long outputTokens, BigDecimal cost, String sessionId, String promptName, Integer promptVersion) {
    }

    private SpanMapping() {
    }

    static Fields map(Map<String, Object> attributes) {
        return new Fields(type(attributes), text(attributes, OPERATION), text(attributes, PROVIDER),
                text(attributes, MODEL), count(attributes, INPUT_TOKENS), count(attributes, OUTPUT_TOKENS),
                number(attributes, COST), text(attributes, SESSION), text(attributes, PROMPT_NAME),
                promptVersion(attributes));
    }

    /** A version number is whole and positive ("3" as text too); anything else names no version. */
    private static Integer promptVersion(Map<String, Object> attributes) {
        Long version = count(attributes, PROMPT_VERSION);
        return version == null || version < 1 || version > Integer.MAX_VALUE ? null : version.intValue();
    }

    /**
     * OpenInference's span kind, then the GenAI operation, then OpenLLMetry's request type and span kind, then
     * what the attributes hint at: a tool name makes a tool call, a model an LLM call.
     */
    static SpanType type(Map<String, Object> attributes) {
        SpanType type = switch (String.valueOf(attributes.get("openinference.span.kind")).toUpperCase()) {
            case "LLM" -> SpanType.LLM;
            case "TOOL" -> SpanType.TOOL;
            case "AGENT" -> SpanType.AGENT;
            case "RETRIEVER", "RERANKER" -> SpanType.RETRIEVER;
            case "EMBEDDING" -> SpanType.EMBEDDING;
            case "CHAIN" -> SpanType.CHAIN;
            case "GUARDRAIL", "EVALUATOR", "PROMPT" -> SpanType.SPAN;
            default -> null;
        };
        if (type == null) {
            type = switch (String.valueOf(attributes.get("gen_ai.operation.name"))) {
                case "chat", "generate_content", "text_completion" -> SpanType.LLM;
                case "embeddings" -> SpanType.EMBEDDING;
                case "retrieval" -> SpanType.RETRIEVER;
                case "execute_tool" -> SpanType.TOOL;
                case "create_agent", "invoke_agent" -> SpanType.AGENT;
                case "invoke_workflow" -> SpanType.CHAIN;
                default -> null;
            };
        }
        if (type == null) {
            type = switch (String.valueOf(attributes.get("llm.request.type"))) {
                case "chat", "completion" -> SpanType.LLM;
                case "embedding" -> SpanType.EMBEDDING;
                default -> null;
            };
        }
        if (type == null) {
            type = switch (String.valueOf(attributes.get("traceloop.span.kind"))) {
                case "workflow", "task" -> SpanType.CHAIN;
                case "agent" -> SpanType.AGENT;
                case "tool" -> SpanType.TOOL;
                default -> null;
            };
        }
        if (type != null) {
            return type;
        }
        if (attributes.containsKey("gen_ai.tool.name")) {
            return SpanType.TOOL;
        }
        return text(attributes, MODEL) != null ? SpanType.LLM : SpanType.SPAN;
    }

    private static String text(Map<String, Object> attributes, List<String> keys) {
        for (String key : keys) {
            Object value = attributes.get(key);
            if (value instanceof String s && !s.isBlank()) {
                return s;
            }
            if (value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
        }
        return null;
    }

    /** A whole non-negative number, also when sent as text ("42"); anything else does not count. */
    private static Long count(Map<String, Object> attributes, List<String> keys) {
        BigDecimal number = number(attributes, keys);
        if (number == null || number.signum() < 0) {
            return null;
        }
        try {
            return number.longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static BigDecimal number(Map<String, Object> attributes, List<String> keys) {
        for (String key : keys) {
            Object value = attributes.get(key);
            try {
                if (value instanceof Long || value instanceof Integer) {
                    return BigDecimal.valueOf(((Number) value).longValue());
                }
                BigDecimal number = value instanceof Double d && Double.isFinite(d) ? BigDecimal.valueOf(d)
                        : value instanceof String s && s.length() <= 40 ? new BigDecimal(s.trim()) : null;
                // Within what a numeric column holds without fuss: up to 15 digits before the point, 12 after.
                if (number != null && number.precision() - number.scale() <= 15) {
                    return number.setScale(Math.min(number.scale(), 12), RoundingMode.HALF_UP);
                }
            } catch (NumberFormatException e) {
                // not a number: the next key may hold one
            }
        }
        return null;
    }
}
