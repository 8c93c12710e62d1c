package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.live.LiveHub;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The traceUpdates subscription: a trace comes when its spans are stored, and again as it grows. */
class TraceUpdatesTests extends ApiTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String FIRST = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
    private static final String SECOND = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2";

    @Autowired
    private LiveHub hub;

    private final List<WebSocketGraphQlTester> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        sockets.forEach(socket -> socket.stop().block(Duration.ofSeconds(10)));
    }

    private Flux<Map> traceUpdates(String project, String runId) {
        WebSocketGraphQlTester socket = WebSocketGraphQlTester.builder(URI.create("ws://localhost:" + port
                + "/graphql"), new StandardWebSocketClient()).build();
        sockets.add(socket);
        return socket.documentName("traceUpdates").variable("project", project).variable("runId", runId)
                .executeSubscription().toFlux("traceUpdates", Map.class);
    }

    private Runnable subscribed() {
        int before = hub.subscriberCount();
        return () -> await().atMost(Duration.ofSeconds(10)).until(hub::subscriberCount, count -> count > before);
    }

    private void send(String project, List<KeyValue> resource, Span.Builder... spans) {
        try {
            assertThat(Otlp.post(port, "/v1/traces", PROTOBUF, request(resource, spans).toByteArray(),
                    IncomingSpans.PROJECT_HEADER, project).statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldSendATraceOfTheProjectWhenItsSpansArriveAndAgainAsItGrows() {
        StepVerifier.create(traceUpdates(project, null))
                .then(subscribed())
                .then(() -> {
                    send(project + "-elsewhere", List.of(), span(SECOND, "2000000000000001", null, "other", 0, 5));
                    send(project, List.of(), span(FIRST, "1000000000000001", null, "agent", 0, 100));
                })
                .assertNext(trace -> assertThat(trace).containsEntry("id", FIRST).containsEntry("project", project)
                        .containsEntry("name", "agent").containsEntry("spanCount", 1))
                .then(() -> send(project, List.of(), span(FIRST, "1000000000000002", "1000000000000001", "chat", 10,
                        20, attribute("gen_ai.request.model", "gpt-4o"), attribute("gen_ai.usage.input_tokens", 7))))
                .assertNext(trace -> assertThat(trace).containsEntry("id", FIRST).containsEntry("spanCount", 2)
                        .containsEntry("totalTokens", 7))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void shouldSendARunItsOwnTracesOnly() {
        String run = createRun();
        StepVerifier.create(traceUpdates(null, run))
                .then(subscribed())
                .then(() -> {
                    send(project, List.of(), span(SECOND, "2000000000000001", null, "no run", 0, 5));
                    send(project, List.of(attribute(IncomingSpans.RUN_ATTRIBUTE, run)),
                            span(FIRST, "1000000000000001", null, "in the run", 0, 5));
                })
                .assertNext(trace -> assertThat(trace).containsEntry("id", FIRST).containsEntry("runId", run))
                .thenCancel().verify(TIMEOUT);
    }

    @Test
    void shouldRefuseASubscriptionWithoutProjectOrRun() {
        StepVerifier.create(traceUpdates(null, null))
                .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("needs a project or a runId"))
                .verify(TIMEOUT);
    }
}
