package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.publisher.Flux;

/**
 * Every limit of README's table answers its code, with the limit in the message, at its default value. The limits
 * on a document as a whole, and those of a run's arguments, are checked without a server in
 * {@link QueryLimitsTests} and {@code RunInputTests}; here, those that need the database or the server, the time a
 * refusal takes, and values at the limits, which are stored.
 */
class LimitsTests extends ApiTest {

    private static final String NAME_257 = "n".repeat(257);

    @Test
    void shouldNameTheLimitOfEveryTextArgument() {
        String model = createModel("m");
        String run = createRun(model, "r", Map.of(), List.of());
        assertThat(errorCode(graphQl.documentName("createModel").variable("project", NAME_257).variable("name", "m")
                .execute(), "BAD_USER_INPUT")).contains("256");
        assertThat(errorCode(logMetrics(run, List.of(point(NAME_257, null, 0, 1.0)), null), "BAD_USER_INPUT"))
                .contains("256");
        assertThat(errorCode(logMetrics(run, List.of(point("loss", NAME_257, 0, 1.0)), null), "BAD_USER_INPUT"))
                .contains("256");
        assertThat(errorCode(logMetrics(run, List.of(point("loss", null, 0, 1.0)), NAME_257), "BAD_USER_INPUT"))
                .contains("256");
        assertThat(errorCode(graphQl.documentName("runs").variable("filter", Map.of("params",
                List.of(Map.of("key", NAME_257, "op", "EQ", "value", 1)))).execute(), "BAD_USER_INPUT"))
                .contains("256");
        // Refused within the transaction of updateRun: the run keeps its name.
        assertThat(errorCode(graphQl.documentName("updateRun").variable("runId", run).variable("name", NAME_257)
                .execute(), "LIMIT_EXCEEDED")).contains("256");
        graphQl.documentName("run").variable("id", run).execute().path("run.name").entity(String.class).isEqualTo("r")
                .path("run.summaries").entityList(Object.class).hasSize(0);
    }

    @Test
    void shouldStoreHyperparametersNestedAsDeepAsTheLimit() {
        String model = createModel("m");
        graphQl.documentName("createRun").variable("modelId", model).variable("hyperparameters", nested(16)).execute()
                .path("createRun.id").hasValue();
    }

    @Test
    void shouldNameTheLimitOfEveryListAndNumber() {
        String run = createRun();
        assertThat(errorCode(graphQl.documentName("series").variable("runIds", Collections.nCopies(101, run))
                .execute(), "LIMIT_EXCEEDED")).contains("100");
        assertThat(errorCode(graphQl.documentName("runs").variable("first", 501).execute(), "LIMIT_EXCEEDED"))
                .contains("500");
    }

    @Test
    void shouldRefuseThousandsOfSortKeysWithinASecondAndRunAtTheLimits() {
        createRun();
        List<Map<String, Object>> sortKeys = new ArrayList<>();
        for (int i = 0; i < 16_000; i++) {
            sortKeys.add(Map.of("field", "PARAM", "param", "p" + i, "direction", "ASC"));
        }
        errorCode(runs(Map.of(), sortKeys), "LIMIT_EXCEEDED");  // once, for the JIT
        long start = System.nanoTime();
        assertThat(errorCode(runs(Map.of(), sortKeys), "LIMIT_EXCEEDED")).contains("16000 sort keys", "limit of 16");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        List<Map<String, Object>> paramFilters = Collections.nCopies(40, Map.of("key", "lr", "op", "LT", "value", 1));
        List<Map<String, Object>> metricFilters = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            metricFilters.add(Map.of("name", "m" + i, "op", "LT", "value", i));
        }

        runs(Map.of("params", paramFilters, "metrics", metricFilters), sortKeys.subList(0, 16))
                .path("runs.totalCount").entity(Integer.class).isEqualTo(0);
    }

    private GraphQlTester.Response runs(Map<String, Object> filter, List<Map<String, Object>> orderBy) {
        return graphQl.documentName("runs").variable("project", project).variable("filter", filter)
                .variable("orderBy", orderBy).execute();
    }

    @Test
    void shouldTakeAFullBatchOfLongNamesInOneRequest() {
        String run = createRun();
        List<Map<String, Object>> points = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Map<String, Object> point = point("validation/balanced_accuracy_" + "x".repeat(100), "validation", i,
                    Math.PI * i);
            point.put("time", "2026-11-23T10:15:30.123456Z");
            points.add(point);
        }
        logMetrics(run, points, "full-batch").path("logMetrics.accepted").entity(Integer.class).isEqualTo(10_000);
    }

    @Test
    void shouldCloseAWebSocketWhoseMessageIsTooLong() {
        AtomicReference<CloseStatus> closed = new AtomicReference<>();
        String subscribe = "{\"id\": \"1\", \"type\": \"subscribe\", \"payload\": {\"query\": "
                + "\"subscription { runEvents { runId } }\", \"variables\": {\"pad\": \"" + "x".repeat(9000) + "\"}}}";
        new StandardWebSocketClient().execute(URI.create("ws://localhost:" + port + "/graphql"), session -> session
                .send(Flux.just("{\"type\": \"connection_init\"}", subscribe).map(session::textMessage))
                .then(session.closeStatus().doOnNext(closed::set)).then()).block(Duration.ofSeconds(30));

        assertThat(closed.get().getCode()).isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
        graphQl.documentName("projects").execute().errors().verify();
    }

    private static Map<String, Object> nested(int depth) {
        Map<String, Object> value = new HashMap<>(Map.of("lr", 0.1));
        for (int i = 1; i < depth; i++) {
            value = new HashMap<>(Map.of("level" + i, value));
        }
        return value;
    }
}
