package dev.trackstack.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.client.ClientGraphQlResponse;
import org.springframework.graphql.client.WebSocketGraphQlClient;
import org.springframework.graphql.client.WebSocketGraphQlClientInterceptor;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** Subscriptions on a server that requires API tokens: the socket authenticates in connection_init. */
class LiveAccessTests extends ApiTest {

    private static final String RUN_EVENTS = "subscription { runEvents { type runId project } }";
    private static final String CREATE_MODEL = "mutation($p: String!) { createModel(project: $p, name: \"m\") { id } }";
    private static final String METRIC_POINTS = "subscription($ids: [ID!]!) { metricPoints(runIds: $ids) { runId } }";

    private SecuredServer server;
    private final List<Disposable> subscriptions = new ArrayList<>();

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
    }

    @AfterEach
    void unsubscribe() {
        subscriptions.forEach(Disposable::dispose);
    }

    @Test
    void shouldCloseASocketWithoutAValidToken() {
        for (String token : new String[] {null, "tst_not-a-token"}) {
            assertThatThrownBy(() -> client(token).document(RUN_EVENTS).retrieveSubscription("runEvents")
                    .toEntity(Map.class).blockFirst(Duration.ofSeconds(30)))
                    .as("token %s", token).hasMessageContaining("4401");
        }
    }

    @Test
    void shouldStreamAProjectScopedTokenOnlyItsProjects() throws Exception {
        HttpGraphQlTester admin = server.admin();
        String a = project + "-a";
        String b = project + "-b";
        String runA = createRun(admin, a);
        String runB = createRun(admin, b);
        String token = server.createToken("READ", List.of(a));
        BlockingQueue<Map<String, Object>> events = subscribe(token, RUN_EVENTS, Map.of(), "runEvents");
        BlockingQueue<Map<String, Object>> points = subscribe(token, METRIC_POINTS, Map.of("ids", List.of(runA, runB)),
                "metricPoints");

        // B's events come first: had they passed, they would arrive before A's.
        log(admin, runB);
        createRun(admin, b);
        log(admin, runA);
        admin.document("mutation($r: ID!) { updateRunStatus(runId: $r, status: COMPLETED) { id } }")
                .variable("r", runA).execute();

        assertThat(points.poll(10, TimeUnit.SECONDS)).containsEntry("runId", runA);
        Map<String, Object> event;
        do {
            event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).isNotNull().containsEntry("project", a);
        } while (!"STATUS_CHANGED".equals(event.get("type")));
    }

    @Test
    void shouldRefuseEveryOperationOfARevokedTokenOnItsOpenSocketAndEndItsSubscriptions() throws Exception {
        HttpGraphQlTester admin = server.admin();
        String run = createRun(admin, project);
        Token token = createToken(admin);
        WebSocketGraphQlClient socket = client(token.secret());
        CompletableFuture<Throwable> ended = subscribeUntilError(socket);
        assertThat(socket.document(CREATE_MODEL).variable("p", project).execute().block(Duration.ofSeconds(30))
                .getErrors()).as("a mutation on the socket before the revocation").isEmpty();

        admin.document("mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }").variable("id", token.id())
                .execute().path("revokeApiToken.revokedAt").hasValue();

        // On this instance the revocation takes effect at once.
        assertThat(ended.get(5, TimeUnit.SECONDS)).hasMessageContaining("This API token was revoked");
        ClientGraphQlResponse deleted = socket.document("mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }")
                .variable("ids", List.of(run)).execute().block(Duration.ofSeconds(30));
        assertThat(deleted.getErrors()).singleElement()
                .satisfies(error -> assertThat(error.getExtensions()).containsEntry("code", "UNAUTHENTICATED"));
        admin.document("query($id: ID!) { run(id: $id) { id } }").variable("id", run).execute().path("run.id")
                .entity(String.class).isEqualTo(run);
        assertThatThrownBy(() -> socket.document(RUN_EVENTS).retrieveSubscription("runEvents").toEntity(Map.class)
                .blockFirst(Duration.ofSeconds(30))).hasMessageContaining("This API token was revoked");
    }

    @Test
    void shouldEndTheSubscriptionsOfATokenRevokedElsewhereWithinTheCheckInterval() throws Exception {
        Token token = createToken(server.admin());
        CompletableFuture<Throwable> ended = subscribeUntilError(client(token.secret()));

        // As another instance sharing the database would revoke it.
        jdbc.update("update api_token set revoked_at = now() where id = ?", Long.parseLong(token.id()));

        // Other instances' revocations are read every 5 s.
        assertThat(ended.get(15, TimeUnit.SECONDS))
                .hasMessageContaining("This API token was revoked");
    }

    private record Token(String id, String secret) {
    }

    private static Token createToken(HttpGraphQlTester admin) {
        GraphQlTester.Response created = admin.document(
                "mutation { createApiToken(name: \"socket\", scope: WRITE) { secret token { id } } }").execute();
        return new Token(created.path("createApiToken.token.id").entity(String.class).get(),
                created.path("createApiToken.secret").entity(String.class).get());
    }

    /** Subscribes to runEvents on the socket, waits until the server has it, and answers how it ends. */
    private CompletableFuture<Throwable> subscribeUntilError(WebSocketGraphQlClient socket) throws InterruptedException {
        LiveHub hub = server.bean(LiveHub.class);
        int before = hub.subscriberCount();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        subscriptions.add(socket.document(RUN_EVENTS).retrieveSubscription("runEvents").toEntity(Map.class)
                .subscribe(event -> { }, ended::complete, () -> ended.complete(null)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.subscriberCount() <= before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(hub.subscriberCount()).as("subscription registered").isGreaterThan(before);
        return ended;
    }

    private String createRun(HttpGraphQlTester admin, String projectName) {
        String model = admin.documentName("createModel").variable("project", projectName).variable("name", "m")
                .execute().path("createModel.id").entity(String.class).get();
        return admin.document("mutation($m: ID!) { createRun(modelId: $m) { id } }").variable("m", model).execute()
                .path("createRun.id").entity(String.class).get();
    }

    private void log(HttpGraphQlTester admin, String run) {
        admin.documentName("logMetrics").variable("runId", run).variable("points", List.of(point("loss", null, 1, 0.5)))
                .execute().path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
    }

    private WebSocketGraphQlClient client(String token) {
        WebSocketGraphQlClient client = WebSocketGraphQlClient.builder(URI.create("ws://localhost:" + server.port()
                + "/graphql"), new StandardWebSocketClient()).interceptor(new WebSocketGraphQlClientInterceptor() {
                    @Override
                    public Mono<Object> connectionInitPayload() {
                        return token == null ? Mono.empty() : Mono.just(Map.of("Authorization", "Bearer " + token));
                    }
                }).build();
        subscriptions.add(() -> client.stop().block());
        return client;
    }

    /** Subscribes and waits until the server has registered the subscription. */
    private BlockingQueue<Map<String, Object>> subscribe(String token, String document, Map<String, Object> variables,
            String field) throws InterruptedException {
        LiveHub hub = server.bean(LiveHub.class);
        int before = hub.subscriberCount();
        BlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
        subscriptions.add(client(token).document(document).variables(variables).retrieveSubscription(field)
                .toEntity(Map.class).subscribe(received::add));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub.subscriberCount() <= before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(hub.subscriberCount()).as("subscription registered").isGreaterThan(before);
        return received;
    }
}
