package dev.trackstack.trace;

import static dev.trackstack.trace.Otlp.PROTOBUF;
import static dev.trackstack.trace.Otlp.attribute;
import static dev.trackstack.trace.Otlp.request;
import static dev.trackstack.trace.Otlp.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import dev.trackstack.live.LiveHub;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** On a server that requires API tokens: exporters authenticate as API clients do, and tokens keep to their projects. */
class TraceAccessTests extends ApiTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private SecuredServer server;
    private String other;

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
        other = project + "-other";
    }

    private HttpResponse<byte[]> send(ExportTraceServiceRequest request, String token) throws Exception {
        return token == null ? Otlp.post(server.port(), "/v1/traces", PROTOBUF, request.toByteArray())
                : Otlp.post(server.port(), "/v1/traces", PROTOBUF, request.toByteArray(), "Authorization",
                        "Bearer " + token);
    }

    private static ExportTraceServiceRequest spanOf(String project) {
        return request(List.of(attribute("trackstack.project", project)), span(TRACE, "a3ce929d0e0e4736", null,
                "root", 0, 5));
    }

    private int stored(String project) {
        return jdbc.queryForObject("select count(*) from span s join project p on p.id = s.project_id "
                + "where p.name = ?", Integer.class, project);
    }

    @Test
    void shouldNeedAToken() throws Exception {
        assertThat(send(spanOf(project), null).statusCode()).isEqualTo(401);
        assertThat(send(spanOf(project), "not-a-token").statusCode()).isEqualTo(401);
        assertThat(stored(project)).isZero();
    }

    @Test
    void shouldLetAProjectTokenWriteAndReadOnlyItsProjects() throws Exception {
        String token = server.createToken("WRITE", List.of(project));

        assertThat(send(spanOf(project), token).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> refused = send(spanOf(other), token);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(Status.parseFrom(refused.body()).getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
        assertThat(stored(other)).isZero();

        // The same trace id in the other project, sent with a token for every project.
        assertThat(send(spanOf(other), server.createToken("WRITE", null)).statusCode()).isEqualTo(200);
        assertThat(server.graphQl(token).documentName("trace").variable("id", TRACE).execute()
                .path("trace.project").entity(String.class).get()).isEqualTo(project);
        assertThat(server.graphQl(token).documentName("trace").variable("id", TRACE).variable("project", other)
                .execute().path("trace").valueIsNull());
        assertThat(server.graphQl(token).documentName("traces").variable("project", other).execute()
                .path("traces.totalCount").entity(Integer.class).get()).isZero();
        assertThat(server.admin().documentName("trace").variable("id", TRACE).execute().errors()
                .satisfy(errors -> assertThat(errors).singleElement()
                        .satisfies(e -> assertThat(e.getExtensions()).containsEntry("code", "BAD_USER_INPUT"))));
    }

    @Test
    void shouldKeepSessionsAndUsageToTheTokensProjects() throws Exception {
        String all = server.createToken("WRITE", null);
        for (String name : List.of(project, other)) {
            assertThat(send(request(List.of(attribute("trackstack.project", name)), span(TRACE, "a3ce929d0e0e4736",
                    null, "chat", 0, 5, attribute("gen_ai.conversation.id", "s-1"),
                    attribute("gen_ai.request.model", "gpt-4o"))), all).statusCode()).isEqualTo(200);
        }
        String token = server.createToken("READ", List.of(project));

        assertThat(server.graphQl(token).documentName("sessions").variable("project", other).execute()
                .path("sessions.totalCount").entity(Integer.class).get()).isZero();
        server.graphQl(token).documentName("session").variable("id", "s-1").variable("project", other).execute()
                .path("session").valueIsNull();
        assertThat(server.graphQl(token).documentName("session").variable("id", "s-1").variable("project", project)
                .execute().path("session.traceCount").entity(Integer.class).get()).isEqualTo(1);
        assertThat(server.graphQl(token).documentName("llmUsage").variable("project", other).execute()
                .path("llmUsage").entityList(Object.class).get()).isEmpty();
        assertThat(server.graphQl(token).documentName("llmUsage").variable("project", project).execute()
                .path("llmUsage[*].calls").entityList(Integer.class).get()).containsExactly(1);
        assertThat(server.admin().documentName("llmUsage").variable("project", other).execute()
                .path("llmUsage[*].calls").entityList(Integer.class).get()).containsExactly(1);
    }

    @Test
    void shouldRefuseAReadOnlyToken() throws Exception {
        HttpResponse<byte[]> response = send(spanOf(project), server.createToken("READ", List.of(project)));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(stored(project)).isZero();
    }

    @Test
    void shouldStreamAProjectTokenTheTracesOfItsProjectsOnly() throws Exception {
        String token = server.createToken("READ", List.of(project));
        LiveHub hub = server.bean(LiveHub.class);
        WebSocketGraphQlTester socket = server.socket(token);
        try {
            int before = hub.subscriberCount();
            StepVerifier others = StepVerifier.create(traceUpdates(socket, other))
                    .expectSubscription().expectNoEvent(Duration.ofSeconds(3)).thenCancel().verifyLater();
            await().atMost(Duration.ofSeconds(10)).until(hub::subscriberCount, count -> count > before);
            StepVerifier own = StepVerifier.create(traceUpdates(socket, project))
                    .assertNext(trace -> assertThat(trace).containsEntry("project", project))
                    .thenCancel().verifyLater();
            await().atMost(Duration.ofSeconds(10)).until(hub::subscriberCount, count -> count > before + 1);

            // the other project's trace first: had it passed, it would come before this one's
            assertThat(send(spanOf(other), SecuredServer.ADMIN_TOKEN).statusCode()).isEqualTo(200);
            assertThat(send(spanOf(project), SecuredServer.ADMIN_TOKEN).statusCode()).isEqualTo(200);

            own.verify(Duration.ofSeconds(30));
            others.verify(Duration.ofSeconds(30));
        } finally {
            socket.stop().block(Duration.ofSeconds(10));
        }
    }

    private static Flux<Map> traceUpdates(WebSocketGraphQlTester socket, String project) {
        return socket.documentName("traceUpdates").variable("project", project).executeSubscription()
                .toFlux("traceUpdates", Map.class);
    }

    @Test
    void shouldLetOnlyATokenOfEveryProjectChangePrices() {
        Map<String, Object> price = Map.of("model", project + "-model", "inputPerMillion", 1, "outputPerMillion", 1);
        errorCode(server.graphQl(server.createToken("WRITE", List.of(project))).documentName("setModelPrice")
                .variable("input", price).execute(), "FORBIDDEN");
        server.graphQl(server.createToken("WRITE", null)).documentName("setModelPrice").variable("input", price)
                .execute().path("setModelPrice.model").entity(String.class).isEqualTo(project + "-model");
    }
}
