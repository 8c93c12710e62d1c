package dev.trackstack;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.graphql.client.WebSocketGraphQlClientInterceptor;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.publisher.Mono;

/**
 * A second Trackstack instance on the tests' database, configured like an exposed server: API tokens required,
 * an admin token and a metrics token, one origin allowed for CORS. Started once, on first use, and stopped with the
 * JVM.
 */
public final class SecuredServer {

    public static final String ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";
    /** The token that may scrape /actuator/prometheus and nothing else. */
    public static final String METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef";
    public static final String ALLOWED_ORIGIN = "https://dashboard.example";

    private static SecuredServer instance;

    private final ConfigurableApplicationContext context;
    private final int port;

    private SecuredServer(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The secured instance, on the database that these settings name ({@link ApiTest#sameDatabase()}). */
    public static synchronized SecuredServer on(String... database) {
        if (instance == null) {
            List<String> args = new ArrayList<>(List.of(database));
            args.addAll(List.of("--server.port=0", "--trackstack.auth.mode=required",
                    "--trackstack.artifacts.directory=" + artifactsDirectory(),
                    "--trackstack.auth.admin-token=" + ADMIN_TOKEN, "--trackstack.auth.metrics-token=" + METRICS_TOKEN,
                    "--trackstack.cors.allowed-origins=" + ALLOWED_ORIGIN));
            instance = new SecuredServer(new SpringApplication(TrackstackApplication.class).run(args.toArray(String[]::new)));
        }
        return instance;
    }

    /** Its own, rather than the default under the home directory. */
    private static String artifactsDirectory() {
        return TestDirectories.own("trackstack-artifacts-").toString();
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** A GraphQL client sending this token; none when null. */
    public HttpGraphQlTester graphQl(String token) {
        WebTestClient.Builder client = WebTestClient.bindToServer(new JdkClientHttpConnector())
                .baseUrl(uri("/graphql").toString()).responseTimeout(Duration.ofSeconds(60));
        if (token != null) {
            client.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return HttpGraphQlTester.create(client.build());
    }

    /** A GraphQL-over-WebSocket client that sends this token in connection_init; none when null. Stop it after use. */
    public WebSocketGraphQlTester socket(String token) {
        return WebSocketGraphQlTester.builder(URI.create("ws://localhost:" + port + "/graphql"),
                new StandardWebSocketClient()).interceptor(new WebSocketGraphQlClientInterceptor() {
                    @Override
                    public Mono<Object> connectionInitPayload() {
                        return token == null ? Mono.empty() : Mono.just(Map.of("Authorization", "Bearer " + token));
                    }
                }).build();
    }

    public HttpGraphQlTester admin() {
        return graphQl(ADMIN_TOKEN);
    }

    /** Makes a token with the admin token and answers its secret; projects null for every project. */
    public String createToken(String scope, List<String> projects) {
        return admin().documentName("createApiToken").variable("name", "test").variable("scope", scope)
                .variable("projects", projects)
                .execute().path("createApiToken.secret").entity(String.class).get();
    }
}
