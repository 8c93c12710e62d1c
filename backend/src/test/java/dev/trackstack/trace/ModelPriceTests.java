package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import io.opentelemetry.proto.common.v1.KeyValue;
import org.junit.jupiter.api.Test;

/** The price table: seeded, edited through GraphQL, and used for the spans that carry no cost. */
class ModelPriceTests extends ApiTest {

    private static final String TRACE = "5b8efff798038103d269b633813fc60c";

    private Map<String, Object> storedSpan(String spanHex, KeyValue... attributes) throws Exception {
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request(List.of(), span(TRACE, spanHex, null, "chat", 0, 10,
                attributes)).toByteArray(), IncomingSpans.PROJECT_HEADER, project).statusCode()).isEqualTo(200);
        List<Map> spans = graphQl.documentName("trace").variable("id", TRACE).variable("project", project).execute()
                .path("trace.spans").entityList(Map.class).get();
        return spans.stream().filter(s -> spanHex.equals(s.get("spanId"))).findFirst().orElseThrow();
    }

    private Map<String, Object> setPrice(String model, double input, double output) {
        return graphQl.documentName("setModelPrice").variable("input", Map.of("model", model, "inputPerMillion", input,
                "outputPerMillion", output)).execute().path("setModelPrice").entity(Map.class).get();
    }

    @Test
    void shouldPriceTheTokensOfASpanWithoutACostByTheLongestMatchingModel() throws Exception {
        // gpt-4o-mini is seeded at 0.15 and 0.60 per million, gpt-4o at 2.50 and 10.00
        assertThat(storedSpan("1000000000000001", attribute("gen_ai.request.model", "gpt-4o-mini-2024-07-18"),
                attribute("gen_ai.usage.input_tokens", 1_000_000), attribute("gen_ai.usage.output_tokens", 500_000)))
                .containsEntry("cost", 0.45).containsEntry("costEstimated", true);
        assertThat(storedSpan("1000000000000002", attribute("gen_ai.request.model", "openai/gpt-4o"),
                attribute("gen_ai.usage.input_tokens", 1000)))
                .containsEntry("cost", 0.0025).containsEntry("costEstimated", true);
        // the span's own cost wins; an unknown model, or a span without tokens, has none
        assertThat(storedSpan("1000000000000003", attribute("gen_ai.request.model", "gpt-4o"),
                attribute("gen_ai.usage.input_tokens", 1000), attribute("llm.cost.total", "0.5")))
                .containsEntry("cost", 0.5).containsEntry("costEstimated", false);
        assertThat(storedSpan("1000000000000004", attribute("gen_ai.request.model", "gpt-4oz"),
                attribute("gen_ai.usage.input_tokens", 1000)))
                .containsEntry("cost", null).containsEntry("costEstimated", false);
        assertThat(storedSpan("1000000000000005", attribute("gen_ai.request.model", "gpt-4o")))
                .containsEntry("cost", null).containsEntry("costEstimated", false);
    }

    @Test
    void shouldAddChangeAndDeleteAPriceThatPricesLaterSpans() throws Exception {
        String model = project + "-model";
        assertThat(setPrice(model, 1, 2)).containsEntry("model", model).containsEntry("inputPerMillion", 1.0)
                .containsEntry("outputPerMillion", 2.0);
        assertThat(setPrice(" " + model + " ", 3, 4)).containsEntry("model", model).containsEntry("inputPerMillion", 3.0);
        assertThat(graphQl.documentName("modelPrices").execute().path("modelPrices[*].model").entityList(String.class)
                .get()).contains(model, "gpt-4o", "claude-sonnet-4");
        assertThat(storedSpan("2000000000000001", attribute("gen_ai.request.model", model + "-v2"),
                attribute("gen_ai.usage.input_tokens", 1_000_000), attribute("gen_ai.usage.output_tokens", 1_000_000)))
                .containsEntry("cost", 7.0);

        assertThat(graphQl.documentName("deleteModelPrice").variable("model", model).execute()
                .path("deleteModelPrice").entity(Boolean.class).get()).isTrue();
        assertThat(graphQl.documentName("deleteModelPrice").variable("model", model).execute()
                .path("deleteModelPrice").entity(Boolean.class).get()).isFalse();
        assertThat(storedSpan("2000000000000002", attribute("gen_ai.request.model", model),
                attribute("gen_ai.usage.input_tokens", 1000))).containsEntry("cost", null);
    }

    @Test
    void shouldRefuseABadPrice() {
        for (Map<String, Object> input : List.<Map<String, Object>>of(
                Map.of("model", "m", "inputPerMillion", -1, "outputPerMillion", 0),
                Map.of("model", " ", "inputPerMillion", 1, "outputPerMillion", 1),
                Map.of("model", "x".repeat(300), "inputPerMillion", 1, "outputPerMillion", 1))) {
            assertThat(errorCode(graphQl.documentName("setModelPrice").variable("input", input).execute(),
                    "BAD_USER_INPUT")).as("%s", input).isNotBlank();
        }
        assertThat(jdbc.queryForObject("select count(*) from model_price where model in ('m', ' ')", Integer.class))
                .isZero();
    }
}
