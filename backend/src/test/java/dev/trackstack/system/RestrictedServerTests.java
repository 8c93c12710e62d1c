package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.trackstack.ApiTest;
import dev.trackstack.RawHttp;
import dev.trackstack.TrackstackApplication;
import dev.trackstack.WebSockets;
import graphql.introspection.Introspection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A second instance, on the same database, configured the strict way: introspection off, a small request body
 * limit, few WebSockets with a short time to send connection_init, one host name allowed besides loopback, and
 * room for few points in flight.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestrictedServerTests extends ApiTest {

    private static final int REQUEST_BYTES = 4096;
    private static final int WEBSOCKETS = 3;
    private static final int POINTS_IN_FLIGHT = 150;

    private ConfigurableApplicationContext restricted;
    private int restrictedPort;

    @BeforeAll
    void start() {
        List<String> args = new ArrayList<>(List.of(sameDatabase()));
        args.addAll(List.of("--server.port=0",
                "--spring.graphql.schema.introspection.enabled=false",
                "--trackstack.limits.request-bytes=" + REQUEST_BYTES, "--trackstack.allowed-hosts=trackstack.example",
                "--trackstack.limits.websocket-connections=" + WEBSOCKETS,
                "--spring.graphql.websocket.connection-init-timeout=3s",
                "--trackstack.limits.points-in-flight=" + POINTS_IN_FLIGHT));
        restricted = new SpringApplication(TrackstackApplication.class).run(args.toArray(String[]::new));
        restrictedPort = ((WebServerApplicationContext) restricted).getWebServer().getPort();
    }

    @AfterAll
    void stop() {
        restricted.close();
        // Spring Boot turns introspection off for the whole JVM (graphql-java has one switch), so the other
        // tests' instance lost it too.
        Introspection.enabledJvmWide(true);
    }

    @Test
    void shouldRefuseIntrospectionWhenItIsOffAndServeEverythingElse() throws Exception {
        for (String introspection : List.of("{ __schema { types { name } } }",
                "{ __type(name: \\\"Run\\\") { name } }")) {
            HttpResponse<String> response = postGraphQl(restrictedPort, "{\"query\": \"" + introspection + "\"}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"code\":\"BAD_USER_INPUT\"").doesNotContain("\"data\"");
        }
        HttpResponse<String> normal = postGraphQl(restrictedPort, "{\"query\": \"{ __typename projects { name } }\"}");
        assertThat(normal.body()).contains("\"__typename\":\"Query\"", "\"projects\":[").doesNotContain("errors");
        // Introspection off does not hide the schema: the printer serves it unless it is turned off too.
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restrictedPort
                + "/graphql/schema")).build(), HttpResponse.BodyHandlers.ofString()).body()).contains("type Query");
    }

    @Test
    void shouldAnswerItsConfiguredHostNameAndLoopbackOnly() throws Exception {
        for (String host : List.of("trackstack.example:" + restrictedPort, "TrackStack.Example", "127.0.0.1:"
                + restrictedPort, "localhost:" + restrictedPort, "[::1]:" + restrictedPort)) {
            RawHttp allowed = RawHttp.postGraphQl(restrictedPort, host, "", "{ projects { name } }");
            assertThat(allowed.status()).as(host).isEqualTo(200);
            assertThat(allowed.text()).as(host).contains("\"projects\":[");
        }
        RawHttp foreign = RawHttp.postGraphQl(restrictedPort, "evil.example:" + restrictedPort, "",
                "{ projects { name } }");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.text()).contains("\"code\":\"FORBIDDEN\"", "trackstack.allowed-hosts")
                .doesNotContain("\"projects\":[");
    }

    @Test
    void shouldCountSocketsWithoutConnectionInitAndCloseThemAfterTheTimeout() throws Exception {
        List<WebSockets> idle = new ArrayList<>();
        for (int i = 0; i < WEBSOCKETS; i++) {
            idle.add(WebSockets.open(restrictedPort));
        }
        // one more is refused: 1013, try again later
        assertThat(WebSockets.open(restrictedPort).closed.get(10, TimeUnit.SECONDS)).isEqualTo(1013);
        for (WebSockets socket : idle) {
            assertThat(socket.closed.get(20, TimeUnit.SECONDS)).isEqualTo(4408);
        }
        WebSockets socket = WebSockets.open(restrictedPort).send("{\"type\": \"connection_init\"}");
        assertThat(socket.received.get(10, TimeUnit.SECONDS)).contains("connection_ack");
        socket.abort();
    }

    @Test
    void shouldRefuseAReadOfMorePointsThanAllReadsMayHold() throws Exception {
        String run = createRun();
        List<Map<String, Object>> points = new ArrayList<>();
        for (int step = 0; step < 100; step++) {
            points.add(point("loss", "train", step, 1.0));
            points.add(point("loss", "validation", step, 1.0));
        }
        logMetrics(run, points, null).path("logMetrics.accepted").entity(Integer.class).isEqualTo(200);

        String read = "{ series(runIds: [\\\"" + run + "\\\"], maxPoints: %d) { steps } }";
        String refused = postGraphQl(restrictedPort, "{\"query\": \"" + read.formatted(100) + "\"}").body();
        assertThat(refused).contains("\"code\":\"LIMIT_EXCEEDED\"", "A request for 200 points",
                "exceeds the limit of 150 (trackstack.limits.points-in-flight)");
        // 2 series × 75 points fit
        assertThat(postGraphQl(restrictedPort, "{\"query\": \"" + read.formatted(75) + "\"}").body())
                .contains("\"steps\":[").doesNotContain("errors");
    }

    @Test
    void shouldRefuseABodyOverTheLimitByItsLength() throws Exception {
        HttpResponse<String> response = postGraphQl(restrictedPort, bodyOf(REQUEST_BYTES + 1));
        assertRefused(response);
        assertThat(postGraphQl(restrictedPort, bodyOf(REQUEST_BYTES)).body()).contains("\"projects\":[");
    }

    @Test
    void shouldRefuseAChunkedBodyOverTheLimitAndServeAShortOne() throws Exception {
        assertRefused(postChunked(bodyOf(REQUEST_BYTES + 1)));
        assertThat(postChunked(bodyOf(REQUEST_BYTES)).body()).contains("\"projects\":[");
    }

    @Test
    void shouldAnswerAFarLargerBodyWithoutDroppingTheConnection() throws Exception {
        assertRefused(postGraphQl(restrictedPort, bodyOf(20_000_000)));
        assertRefused(postChunked(bodyOf(20_000_000)));
    }

    /** As Python's http.client sends: the whole body first (8 MB against a limit of 4 KiB), then the answer is read. */
    @Test
    void shouldAnswerAClientThatSendsItsWholeBodyBeforeReading() throws Exception {
        RawHttp answer = RawHttp.exchange(restrictedPort, "POST /graphql HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\n", bodyOf(8_000_000));
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.text()).contains("\"code\":\"LIMIT_EXCEEDED\"", "limit of " + REQUEST_BYTES + " bytes");
    }

    private HttpResponse<String> postChunked(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restrictedPort + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"code\":\"LIMIT_EXCEEDED\"", "limit of " + REQUEST_BYTES + " bytes");
    }

    /** A valid request of exactly this many bytes. */
    private static String bodyOf(int bytes) {
        String start = "{\"query\": \"{ projects { name } }\", \"variables\": {\"pad\": \"";
        String end = "\"}}";
        return start + "x".repeat(bytes - start.length() - end.length()) + end;
    }
}
