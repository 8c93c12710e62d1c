package dev.trackstack.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Subscriptions on a server that requires API tokens: the socket authenticates in connection_init. */
class LiveAccessTests extends ApiTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String REVOKED = "This API token was revoked";

    private SecuredServer server;
    private final List<WebSocketGraphQlTester> sockets = new ArrayList<>();

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
    }

    @AfterEach
    void closeSockets() {
        sockets.forEach(socket -> socket.stop().block(Duration.ofSeconds(10)));
    }

    @Test
    void shouldCloseASocketWithoutAValidToken() {
        for (String token : new String[] {null, "tst_not-a-token"}) {
            StepVerifier.create(runEvents(socket(token)))
                    .expectErrorSatisfies(error -> assertThat(error).as("token %s", token).hasMessageContaining("4401"))
                    .verify(TIMEOUT);
        }
    }

    @Test
    void shouldStreamAProjectScopedTokenOnlyItsProjects() {
        HttpGraphQlTester admin = server.admin();
        String a = project + "-a";
        String b = project + "-b";
        String runA = createRun(admin, a);
        String runB = createRun(admin, b);
        String token = server.createToken("READ", List.of(a));
        LiveHub hub = server.bean(LiveHub.class);
        Runnable eventsSubscribed = LiveTests.subscribed(hub);
        StepVerifier events = StepVerifier.create(runEvents(socket(token)))
                .thenConsumeWhile(event -> !"STATUS_CHANGED".equals(event.get("type")),
                        event -> assertThat(event).isNotNull().containsEntry("project", a))
                .assertNext(event -> assertThat(event).isNotNull().containsEntry("project", a))
                .thenCancel().verifyLater();
        eventsSubscribed.run();
        Runnable pointsSubscribed = LiveTests.subscribed(hub);
        StepVerifier points = StepVerifier.create(socket(token).documentName("metricPoints")
                        .variable("runIds", List.of(runA, runB)).executeSubscription()
                        .toFlux("metricPoints", Map.class))
                .assertNext(batch -> assertThat(batch).containsEntry("runId", runA))
                .thenCancel().verifyLater();
        pointsSubscribed.run();

        // B's events come first: had they passed, they would arrive before A's.
        log(admin, runB);
        createRun(admin, b);
        log(admin, runA);
        admin.documentName("updateRunStatus").variable("runId", runA).variable("status", "COMPLETED").execute();

        points.verify(TIMEOUT);
        events.verify(TIMEOUT);
    }

    @Test
    void shouldRefuseEveryOperationOfARevokedTokenOnItsOpenSocketAndEndItsSubscriptions() {
        HttpGraphQlTester admin = server.admin();
        String run = createRun(admin, project);
        Token token = createToken(admin);
        WebSocketGraphQlTester socket = socket(token.secret());
        StepVerifier ended = endsRevoked(socket);
        // a mutation on the socket before the revocation
        socket.documentName("createModel").variable("project", project).variable("name", "m").execute()
                .errors().verify();

        admin.documentName("revokeApiToken").variable("id", token.id()).execute().path("revokeApiToken.revokedAt")
                .hasValue();

        // On this instance the revocation takes effect at once.
        ended.verify(Duration.ofSeconds(5));
        socket.documentName("deleteRuns").variable("ids", List.of(run)).execute().errors().satisfy(errors ->
                assertThat(errors).singleElement().satisfies(error ->
                        assertThat(error.getExtensions()).containsEntry("code", "UNAUTHENTICATED")));
        admin.documentName("run").variable("id", run).execute().path("run.id").entity(String.class).isEqualTo(run);
        StepVerifier.create(runEvents(socket))
                .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining(REVOKED)).verify(TIMEOUT);
    }

    @Test
    void shouldEndTheSubscriptionsOfATokenRevokedElsewhereWithinTheCheckInterval() {
        Token token = createToken(server.admin());
        StepVerifier ended = endsRevoked(socket(token.secret()));

        // As another instance sharing the database would revoke it.
        jdbc.update("update api_token set revoked_at = now() where id = ?", Long.parseLong(token.id()));

        // Other instances' revocations are read every 5 s.
        ended.verify(Duration.ofSeconds(15));
    }

    private record Token(String id, String secret) {
    }

    private static Token createToken(HttpGraphQlTester admin) {
        GraphQlTester.Response created = admin.documentName("createApiToken").variable("name", "socket")
                .variable("scope", "WRITE").execute();
        return new Token(created.path("createApiToken.token.id").entity(String.class).get(),
                created.path("createApiToken.secret").entity(String.class).get());
    }

    /**
     * Subscribes to runEvents on the socket, waits until the server has it, and expects it to end as revoked after
     * any events (of every project: other tests' too).
     */
    private StepVerifier endsRevoked(WebSocketGraphQlTester socket) {
        Runnable subscribed = LiveTests.subscribed(server.bean(LiveHub.class));
        StepVerifier ended = StepVerifier.create(runEvents(socket)).thenConsumeWhile(event -> true)
                .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining(REVOKED)).verifyLater();
        subscribed.run();
        return ended;
    }

    @SuppressWarnings("unchecked")
    private static Flux<Map<String, Object>> runEvents(WebSocketGraphQlTester socket) {
        return socket.documentName("runEvents").executeSubscription().toFlux("runEvents", Map.class)
                .map(event -> (Map<String, Object>) event);
    }

    private String createRun(HttpGraphQlTester admin, String projectName) {
        String model = admin.documentName("createModel").variable("project", projectName).variable("name", "m")
                .execute().path("createModel.id").entity(String.class).get();
        return admin.documentName("createRunOfModel").variable("modelId", model).execute()
                .path("createRun.id").entity(String.class).get();
    }

    private void log(HttpGraphQlTester admin, String run) {
        admin.documentName("logMetrics").variable("runId", run).variable("points", List.of(point("loss", null, 1, 0.5)))
                .execute().path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
    }

    /** A GraphQL client on a WebSocket to the secured server, with this token (if any) in connection_init. */
    private WebSocketGraphQlTester socket(String token) {
        WebSocketGraphQlTester socket = server.socket(token);
        sockets.add(socket);
        return socket;
    }
}
