package dev.trackstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Full-stack tests: the real application on a random port, on the embedded PostgreSQL in a fresh data
 * directory, spoken to over HTTP. All subclasses share one context; each test works in its own project.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApiTest {

    private static final Path DATA_DIR = TestDirectories.own("trackstack-test-");

    protected static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    private DataSource dataSource;

    protected HttpGraphQlTester graphQl;

    /** A project name of this test's own, so that tests never see each other's data. */
    protected String project;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("trackstack.data-dir", DATA_DIR::toString);
    }

    @BeforeEach
    void connect() {
        WebTestClient client = WebTestClient.bindToServer(new JdkClientHttpConnector()).baseUrl("http://localhost:" + port + "/graphql")
                .responseTimeout(Duration.ofSeconds(60))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build();
        graphQl = HttpGraphQlTester.create(client);
        project = "project-" + UUID.randomUUID();
    }

    /** The settings that put another instance on this one's database (the embedded one takes a password). */
    protected String[] sameDatabase() {
        try {
            HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
            return new String[] {"--spring.datasource.url=" + pool.getJdbcUrl(),
                    "--spring.datasource.username=" + pool.getUsername(),
                    "--spring.datasource.password=" + pool.getPassword()};
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    protected String createModel(String name) {
        return graphQl.documentName("createModel").variable("project", project).variable("name", name).execute()
                .path("createModel.id").entity(String.class).get();
    }

    protected String createRun(String modelId, String name, Map<String, Object> hyperparameters, List<String> tags) {
        return graphQl.documentName("createRun").variable("modelId", modelId).variable("name", name)
                .variable("hyperparameters", hyperparameters).variable("tags", tags).execute()
                .path("createRun.id").entity(String.class).get();
    }

    protected String createRun() {
        return createRun(createModel("model"), "run", Map.of(), List.of());
    }

    protected GraphQlTester.Response logMetrics(String runId, List<Map<String, Object>> points, String batchId) {
        return graphQl.documentName("logMetrics").variable("runId", runId).variable("points", points)
                .variable("batchId", batchId).execute();
    }

    protected long pointCount(String runId) {
        return jdbc.queryForObject("select count(*) from metric_point p join metric_series s on s.id = p.series_id "
                + "where s.run_id = ?", Long.class, Long.parseLong(runId));
    }

    protected static Map<String, Object> point(String name, String split, long step, Object value) {
        Map<String, Object> point = new HashMap<>();
        point.put("name", name);
        point.put("split", split);
        point.put("step", step);
        point.put("value", value);
        return point;
    }

    /** Asserts that the response failed with exactly one error of this code, and answers its message. */
    protected static String errorCode(GraphQlTester.Response response, String code) {
        return GraphQlAssertions.errorCode(response, code);
    }

    /** POSTs a body of our own making to the GraphQL endpoint of the server on this port. */
    protected static HttpResponse<String> postGraphQl(int serverPort, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + serverPort + "/graphql"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
