package dev.trackstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;

import dev.trackstack.trace.SpanMapping.Fields;
import dev.trackstack.trace.SpanMapping.SpanType;
import org.junit.jupiter.api.Test;

/** The attribute precedence of SpanMapping (the table in docs/tracing.md). */
class SpanMappingTests {

    @Test
    void shouldMapTheCurrentGenAiConventions() {
        Fields fields = SpanMapping.map(Map.of("gen_ai.operation.name", "chat", "gen_ai.provider.name", "openai",
                "gen_ai.request.model", "gpt-4o", "gen_ai.response.model", "gpt-4o-2024-08-06",
                "gen_ai.usage.input_tokens", 100L, "gen_ai.usage.output_tokens", 20L,
                "gen_ai.conversation.id", "conv-1"));

        assertThat(fields).isEqualTo(new Fields(SpanType.LLM, "chat", "openai", "gpt-4o", 100L, 20L, null, "conv-1", null,
                null));
    }

    @Test
    void shouldPreferCurrentNamesOverTheirOlderForms() {
        Fields fields = SpanMapping.map(Map.of("gen_ai.provider.name", "anthropic", "gen_ai.system", "openai",
                "gen_ai.usage.input_tokens", 7L, "gen_ai.usage.prompt_tokens", 70L,
                "gen_ai.usage.output_tokens", 8L, "gen_ai.usage.completion_tokens", 80L,
                "llm.token_count.prompt", 700L, "gen_ai.conversation.id", "new", "session.id", "old"));

        assertThat(fields.provider()).isEqualTo("anthropic");
        assertThat(fields.inputTokens()).isEqualTo(7L);
        assertThat(fields.outputTokens()).isEqualTo(8L);
        assertThat(fields.sessionId()).isEqualTo("new");
    }

    @Test
    void shouldMapOlderGenAiAndOpenLlmetryAttributes() {
        Fields fields = SpanMapping.map(Map.of("gen_ai.system", "openai", "llm.request.type", "chat",
                "gen_ai.request.model", "gpt-3.5-turbo", "gen_ai.usage.prompt_tokens", 11L,
                "gen_ai.usage.completion_tokens", 12L));

        assertThat(fields).isEqualTo(new Fields(SpanType.LLM, "chat", "openai", "gpt-3.5-turbo", 11L, 12L, null,
                null, null, null));
        assertThat(SpanMapping.map(Map.of("llm.usage.prompt_tokens", 5L, "llm.usage.completion_tokens", 6L,
                "llm.request.type", "embedding"))).isEqualTo(new Fields(SpanType.EMBEDDING, "embedding", null,
                null, 5L, 6L, null, null, null, null));
    }

    @Test
    void shouldMapOpenInference() {
        Fields fields = SpanMapping.map(Map.of("openinference.span.kind", "LLM", "llm.model_name", "claude-sonnet",
                "llm.provider", "anthropic", "llm.system", "other", "llm.token_count.prompt", 30L,
                "llm.token_count.completion", 40L, "llm.cost.total", 0.0125, "session.id", "s-1"));

        assertThat(fields).isEqualTo(new Fields(SpanType.LLM, null, "anthropic", "claude-sonnet", 30L, 40L,
                new BigDecimal("0.0125"), "s-1", null, null));
    }

    @Test
    void shouldMapThePromptVersionOfEachConvention() {
        Fields current = SpanMapping.map(Map.of("gen_ai.prompt.name", "support/triage", "trackstack.prompt.version",
                3L, "langfuse.observation.prompt.version", 9L));
        assertThat(current.promptName()).isEqualTo("support/triage");
        assertThat(current.promptVersion()).isEqualTo(3);
        Fields langfuse = SpanMapping.map(Map.of("langfuse.observation.prompt.name", "qa",
                "langfuse.observation.prompt.version", "7"));
        assertThat(langfuse.promptName()).isEqualTo("qa");
        assertThat(langfuse.promptVersion()).isEqualTo(7);
        assertThat(SpanMapping.map(Map.of("llm.prompt_template.version", 2L)).promptVersion()).isEqualTo(2);
        assertThat(SpanMapping.map(Map.of("trackstack.prompt.version", "v2")).promptVersion()).isNull();
        assertThat(SpanMapping.map(Map.of("trackstack.prompt.version", 0L)).promptVersion()).isNull();
        assertThat(SpanMapping.map(Map.of("trackstack.prompt.version", 1L << 40)).promptVersion()).isNull();
    }

    @Test
    void shouldTakeTheTypeByPrecedence() {
        assertThat(SpanMapping.type(Map.of("openinference.span.kind", "TOOL", "gen_ai.operation.name", "chat")))
                .isEqualTo(SpanType.TOOL);
        assertThat(SpanMapping.type(Map.of("openinference.span.kind", "reranker"))).isEqualTo(SpanType.RETRIEVER);
        assertThat(SpanMapping.type(Map.of("gen_ai.operation.name", "invoke_agent", "llm.request.type", "chat")))
                .isEqualTo(SpanType.AGENT);
        assertThat(SpanMapping.type(Map.of("gen_ai.operation.name", "execute_tool"))).isEqualTo(SpanType.TOOL);
        assertThat(SpanMapping.type(Map.of("gen_ai.operation.name", "embeddings"))).isEqualTo(SpanType.EMBEDDING);
        assertThat(SpanMapping.type(Map.of("gen_ai.operation.name", "retrieval"))).isEqualTo(SpanType.RETRIEVER);
        assertThat(SpanMapping.type(Map.of("gen_ai.operation.name", "invoke_workflow"))).isEqualTo(SpanType.CHAIN);
        assertThat(SpanMapping.type(Map.of("traceloop.span.kind", "workflow"))).isEqualTo(SpanType.CHAIN);
        assertThat(SpanMapping.type(Map.of("gen_ai.tool.name", "search"))).isEqualTo(SpanType.TOOL);
        assertThat(SpanMapping.type(Map.of("llm.model_name", "m"))).isEqualTo(SpanType.LLM);
        assertThat(SpanMapping.type(Map.of("http.method", "GET"))).isEqualTo(SpanType.SPAN);
    }

    @Test
    void shouldTakeRequestModelBeforeResponseModel() {
        assertThat(SpanMapping.map(Map.of("gen_ai.response.model", "gpt-4o-2024-08-06", "llm.model_name", "x"))
                .model()).isEqualTo("gpt-4o-2024-08-06");
    }

    @Test
    void shouldReadNumbersSentAsTextAndIgnoreWhatIsNoCount() {
        assertThat(SpanMapping.map(Map.of("gen_ai.usage.input_tokens", "42")).inputTokens()).isEqualTo(42L);
        assertThat(SpanMapping.map(Map.of("gen_ai.usage.input_tokens", "many", "gen_ai.usage.prompt_tokens", 9L))
                .inputTokens()).isEqualTo(9L);
        assertThat(SpanMapping.map(Map.of("gen_ai.usage.input_tokens", -1L)).inputTokens()).isNull();
        assertThat(SpanMapping.map(Map.of("gen_ai.usage.input_tokens", 1.5)).inputTokens()).isNull();
        assertThat(SpanMapping.map(Map.of("gen_ai.usage.input_tokens", "1e999999999")).inputTokens()).isNull();
        assertThat(SpanMapping.map(Map.of("llm.cost.total", Double.NaN)).cost()).isNull();
    }
}
