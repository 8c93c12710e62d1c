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
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

/** Traced LLM calls naming a prompt version (in each convention) are that version's usage and calls. */
class PromptCallsTests extends ApiTest {

    private static final String TRACE = "abababababababababababababababab";

    private static Span.Builder call(String spanId, long startMs, long durationMs, long input, long output,
            KeyValue... prompt) {
        return span(TRACE, spanId, null, "chat", startMs, durationMs, attribute("gen_ai.request.model", "gpt-house"),
                attribute("gen_ai.usage.input_tokens", input), attribute("gen_ai.usage.output_tokens", output),
                attribute("llm.cost.total", "0.25")).addAllAttributes(List.of(prompt));
    }

    private GraphQlTester.Response usage(int version) {
        return graphQl.documentName("promptUsage").variable("project", project).variable("name", "qa")
                .variable("version", version).execute();
    }

    @Test
    void shouldCountTheCallsOfEachVersion() throws Exception {
        for (String text : List.of("one {{q}}", "two {{q}}", "three {{q}}")) {
            graphQl.documentName("savePrompt").variable("input", Map.of("project", project, "name", "qa", "text", text))
                    .execute().path("savePrompt.created").entity(Boolean.class).isEqualTo(true);
        }
        var request = request(List.of(),
                call("1000000000000001", 0, 100, 10, 5, attribute("gen_ai.prompt.name", "qa"),
                        attribute("trackstack.prompt.version", 1)),
                call("1000000000000002", 1000, 300, 20, 10, attribute("langfuse.observation.prompt.name", "qa"),
                        attribute("langfuse.observation.prompt.version", "1"))
                        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)),
                call("1000000000000003", 2000, 200, 1, 1, attribute("gen_ai.prompt.name", "qa"),
                        attribute("llm.prompt_template.version", "2")),
                call("1000000000000004", 3000, 50, 1, 1, attribute("gen_ai.prompt.name", "other"),
                        attribute("trackstack.prompt.version", 1)));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);

        GraphQlTester.Response first = usage(1);
        assertThat(first.path("prompt.usage").entity(Map.class).get()).containsEntry("calls", 2)
                .containsEntry("errorCount", 1).containsEntry("inputTokens", 30).containsEntry("outputTokens", 15)
                .containsEntry("totalTokens", 45).containsEntry("cost", 0.5)
                .containsEntry("latencyAvgNanos", 200_000_000).containsEntry("latencyP50Nanos", 100_000_000);
        first.path("prompt.calls.totalCount").entity(Integer.class).isEqualTo(2);
        assertThat(first.path("prompt.calls.edges[*].node").entityList(Map.class).get())
                .extracting(s -> s.get("spanId") + " " + s.get("traceId") + " " + s.get("promptVersion"))
                .containsExactly("1000000000000002 " + TRACE + " 1", "1000000000000001 " + TRACE + " 1");

        assertThat(first.path("prompt.calls.edges[0].node.evalScores").entityList(Map.class).get()).isEmpty();

        usage(2).path("prompt.usage.calls").entity(Integer.class).isEqualTo(1);
        assertThat(usage(3).path("prompt.usage").entity(Map.class).get()).containsEntry("calls", 0)
                .containsEntry("inputTokens", null).containsEntry("latencyP50Nanos", null);
    }

    @Test
    void shouldShowHowAnEvalScoredTheCallsOfAVersion() throws Exception {
        graphQl.documentName("savePrompt").variable("input", Map.of("project", project, "name", "judged", "text", "q"))
                .execute().path("savePrompt.created").entity(Boolean.class).isEqualTo(true);
        String trace = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
        var request = request(List.of(), span(trace, "2000000000000001", null, "chat", 0, 100,
                attribute("gen_ai.prompt.name", "judged"), attribute("trackstack.prompt.version", 1)));
        assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request.toByteArray(), IncomingSpans.PROJECT_HEADER,
                project).statusCode()).isEqualTo(200);
        // an eval of this project links a result to the call's trace; one of another project links it too
        String otherProject = project + "-other";
        logLinkedResult(project, trace, true);
        logLinkedResult(otherProject, trace, false);

        List<Map> scores = graphQl.documentName("promptUsage").variable("project", project).variable("name", "judged")
                .variable("version", 1).execute().path("prompt.calls.edges[0].node.evalScores").entityList(Map.class)
                .get();
        assertThat(scores).extracting(s -> s.get("name") + " " + s.get("boolean") + " " + s.get("source"))
                .containsExactly("correct true CODE");
    }

    /** An eval run of the project with one result linked to the trace, scored correct or not. */
    private void logLinkedResult(String evalProject, String trace, boolean correct) {
        GraphQlTester.Response added = graphQl.documentName("addDatasetItems").variable("project", evalProject)
                .variable("dataset", "calls").variable("items", List.of(Map.of("input", "q"))).execute();
        String version = added.path("addDatasetItems.version.id").entity(String.class).get();
        String item = added.path("addDatasetItems.itemIds[0]").entity(String.class).get();
        String model = graphQl.documentName("createModel").variable("project", evalProject).variable("name", "m")
                .execute().path("createModel.id").entity(String.class).get();
        String run = graphQl.documentName("createEvalRun").variable("modelId", model)
                .variable("datasetVersionId", version).execute().path("createEvalRun.id").entity(String.class).get();
        graphQl.documentName("logEvalResults").variable("runId", run).variable("results", List.of(Map.of(
                "itemId", item, "output", "a", "traceId", trace,
                "scores", List.of(Map.of("name", "correct", "boolean", correct))))).execute()
                .path("logEvalResults.results").entity(Integer.class).isEqualTo(1);
    }
}
