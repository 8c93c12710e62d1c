package dev.trackstack.media;

import static dev.trackstack.media.MediaFixtures.AT;
import static dev.trackstack.media.MediaFixtures.LOG;
import static dev.trackstack.media.MediaFixtures.image;
import static dev.trackstack.media.MediaFixtures.png;
import static dev.trackstack.media.MediaFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import dev.trackstack.artifact.ArtifactHttp;
import dev.trackstack.live.LiveHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import reactor.test.StepVerifier;

/**
 * Media on a server that requires API tokens (a second instance on the tests' database): a token limited to a
 * project sees and changes its runs' media only, image links are signed per project, and media events reach the
 * subscribers of another instance.
 */
class MediaAccessTests extends ApiTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String MEDIA_ITEMS = """
            subscription($runIds: [ID!]!, $names: [String!]) {
              mediaItems(runIds: $runIds, names: $names) { runId name step kind } }""";

    private SecuredServer server;
    private HttpGraphQlTester admin;
    private final List<WebSocketGraphQlTester> sockets = new ArrayList<>();

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
        admin = server.admin();
    }

    @AfterEach
    void closeSockets() {
        sockets.forEach(socket -> socket.stop().block(Duration.ofSeconds(10)));
    }

    private String createRun(String projectName) {
        String model = admin.documentName("createModel").variable("project", projectName).variable("name", "m")
                .execute().path("createModel.id").entity(String.class).get();
        return admin.documentName("createRunOfModel").variable("modelId", model).execute()
                .path("createRun.id").entity(String.class).get();
    }

    private static HttpGraphQlTester.Response log(HttpGraphQlTester client, String run, List<Map<String, Object>> items) {
        return client.document(LOG).variable("runId", run).variable("items", items).execute();
    }

    @Test
    void shouldKeepAProjectsMediaToTokensOfThatProject() throws Exception {
        String a = project + "-a";
        String b = project + "-b";
        String runA = createRun(a);
        String runB = createRun(b);
        byte[] picture = png(80, 3, 7);
        log(admin, runA, List.of(image("samples", 1, picture))).path("logMedia.stored").entity(Integer.class)
                .isEqualTo(1);
        log(admin, runB, List.of(image("samples", 1, png(3, 3, 8)), text("h", 0, "b's")))
                .path("logMedia.stored").entity(Integer.class).isEqualTo(2);
        String tokenA = server.createToken("WRITE", List.of(a));
        HttpGraphQlTester clientA = server.graphQl(tokenA);

        errorCode(log(clientA, runB, List.of(text("x", 0, "x"))), "NOT_FOUND");
        log(clientA, runA, List.of(text("x", 0, "x"))).path("logMedia.stored").entity(Integer.class).isEqualTo(1);
        List<Map> items = clientA.document(AT).variable("runIds", List.of(runA, runB)).variable("name", "samples")
                .variable("step", 1).execute().path("mediaAt").entityList(Map.class).get();
        assertThat(items).extracting(item -> item.get("runId")).containsExactly(runA);
        assertThat(clientA.document("query($r: [ID!]!) { mediaAtSteps(runIds: $r, name: \"samples\", steps: [1]) "
                + "{ items { runId } } }").variable("r", List.of(runA, runB)).execute()
                .path("mediaAtSteps[0].items[*].runId").entityList(String.class).get()).containsExactly(runA);
        clientA.document("query($r: ID!) { histograms(runId: $r, name: \"h\") { step } }").variable("r", runB)
                .execute().path("histograms").entityList(Map.class).hasSize(0);
        clientA.document("query($r: ID!) { run(id: $r) { media { name } } }").variable("r", runB).execute()
                .path("run").valueIsNull();

        // The signed link needs no token; signed for project a it is no link of project b, and a token of project b
        // finds no such blob in b.
        String url = (String) ((Map<?, ?>) items.get(0).get("image")).get("url");
        ArtifactHttp anybody = new ArtifactHttp(server.port(), null);
        HttpResponse<byte[]> signed = HTTP.send(anybody.request(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).isEqualTo(picture);
        assertThat(signed.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(signed.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                disposition -> assertThat(disposition).startsWith("inline"));
        assertThat(status(anybody, url.replace("/projects/" + a + "/", "/projects/" + b + "/"))).isEqualTo(403);
        String blobOfA = "/api/v1/projects/" + b + "/blobs/" + ArtifactHttp.sha256(picture);
        assertThat(status(new ArtifactHttp(server.port(), server.createToken("READ", List.of(b))), blobOfA))
                .isEqualTo(404);
        assertThat(status(new ArtifactHttp(server.port(), tokenA), blobOfA.replace("/projects/" + b + "/",
                "/projects/" + a + "/"))).isEqualTo(200);
        // A rendition (w) is the blob's, by the same rules: the signed link scaled, the others refused as before.
        HttpResponse<byte[]> scaled = HTTP.send(anybody.request(url + "&w=64").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(scaled.statusCode()).isEqualTo(200);
        assertThat(ImageIO.read(new ByteArrayInputStream(scaled.body())).getWidth()).isEqualTo(64);
        assertThat(status(anybody, url.replace("&signature=", "&signature=x") + "&w=64")).isEqualTo(403);
        assertThat(status(anybody, url.replace("/projects/" + a + "/", "/projects/" + b + "/") + "&w=64"))
                .isEqualTo(403);
        assertThat(status(anybody, blobOfA.replace("/projects/" + b + "/", "/projects/" + a + "/") + "?w=64"))
                .isEqualTo(401);
        assertThat(status(new ArtifactHttp(server.port(), server.createToken("READ", List.of(b))), blobOfA + "?w=64"))
                .isEqualTo(404);
    }

    private static int status(ArtifactHttp client, String path) throws Exception {
        return HTTP.send(client.request(path).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStreamItemsOfVisibleRunsLoggedHereAndOnOtherInstances() {
        String a = project + "-a";
        String runA = createRun(a);
        String runB = createRun(project + "-b");
        LiveHub hub = server.bean(LiveHub.class);
        int before = hub.subscriberCount();
        WebSocketGraphQlTester socket = server.socket(server.createToken("READ", List.of(a)));
        sockets.add(socket);
        StepVerifier events = StepVerifier.create(socket.document(MEDIA_ITEMS).variable("runIds", List.of(runA, runB))
                        .variable("names", List.of("samples", "notes")).executeSubscription()
                        .toFlux("mediaItems", Map.class))
                .assertNext(event -> assertThat(event).isEqualTo(Map.of("runId", runA, "name", "notes", "step", 4,
                        "kind", "TEXT")))
                .assertNext(event -> assertThat(event).isEqualTo(Map.of("runId", runA, "name", "samples", "step", 5,
                        "kind", "IMAGE")))
                .thenCancel().verifyLater();
        await().atMost(Duration.ofSeconds(10)).until(hub::subscriberCount, count -> count > before);

        // B's and an unasked name's first, which would arrive before A's had they passed; the notes through this
        // instance, the samples through the other (the tests' own server, without tokens).
        graphQl.document(LOG).variable("runId", runB).variable("items", List.of(text("notes", 1, "b"))).execute()
                .path("logMedia.stored").entity(Integer.class).isEqualTo(1);
        log(admin, runA, List.of(text("other", 1, "a"), text("notes", 4, "a"))).path("logMedia.stored")
                .entity(Integer.class).isEqualTo(2);
        graphQl.document(LOG).variable("runId", runA).variable("items", List.of(image("samples", 5, png(2, 2, 9))))
                .execute().path("logMedia.stored").entity(Integer.class).isEqualTo(1);
        events.verify(TIMEOUT);
    }
}
