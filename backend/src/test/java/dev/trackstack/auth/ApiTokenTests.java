package dev.trackstack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.RawHttp;
import dev.trackstack.SecuredServer;
import dev.trackstack.system.Sha256;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Against a server that requires API tokens, over real HTTP. */
class ApiTokenTests extends ApiTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private SecuredServer server;

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
    }

    @Test
    void shouldAnswer401WithACodeWithoutAValidToken() throws Exception {
        HttpResponse<String> missing = post(null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(code(missing)).isEqualTo("UNAUTHENTICATED");
        assertThat(message(missing)).contains("Authorization: Bearer");

        HttpResponse<String> invalid = post("Bearer tst_not-a-token");
        assertThat(invalid.statusCode()).isEqualTo(401);
        assertThat(code(invalid)).isEqualTo("UNAUTHENTICATED");
        assertThat(message(invalid)).isEqualTo("Invalid or revoked API token");

        assertThat(post("Basic YWRtaW46YWRtaW4=").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAskATokenOfARequestWithAnUpgradeHeaderThatIsNoHandshake() throws Exception {
        RawHttp introspection = RawHttp.postGraphQl(server.port(), "localhost", "Upgrade: websocket\r\n",
                "{ __schema { types { name } } }");
        assertThat(introspection.status()).isEqualTo(401);
        assertThat(introspection.text()).contains("UNAUTHENTICATED").doesNotContain("__schema", "types");
        RawHttp schema = RawHttp.exchange(server.port(), "GET /graphql/schema HTTP/1.1\r\nHost: localhost\r\n"
                + "Upgrade: websocket\r\n", "");
        assertThat(schema.status()).isEqualTo(401);
        assertThat(schema.text()).doesNotContain("type Query");
    }

    @Test
    void shouldAnswerAnyHostNameWhenTokensAreRequired() throws Exception {
        // DNS rebinding cannot reach past the token: a page on another site has none to send.
        RawHttp request = RawHttp.postGraphQl(server.port(), "trackstack.example.org", "Authorization: Bearer "
                + SecuredServer.ADMIN_TOKEN + "\r\n", "{ projects { name } }");
        assertThat(request.status()).isEqualTo(200);
        assertThat(request.text()).contains("\"projects\":[");
    }

    @Test
    void shouldLetTheAdminMakeATokenThatWorksUntilRevoked() throws Exception {
        Map<String, Object> created = server.admin().documentName("createApiToken").variable("name", "trainer")
                .variable("scope", "WRITE")
                .execute().path("createApiToken").entity(Map.class).get();
        String secret = (String) created.get("secret");
        @SuppressWarnings("unchecked")
        Map<String, Object> token = (Map<String, Object>) created.get("token");
        assertThat(token).containsEntry("name", "trainer").containsEntry("scope", "WRITE").containsEntry("projects", null);
        assertThat(secret).startsWith("tst_").hasSizeGreaterThan(40);

        server.graphQl(secret).documentName("createModel").variable("project", project).variable("name", "m").execute()
                .path("createModel.id").hasValue();

        // Only the SHA-256 of the secret is stored; the secret itself is nowhere in the row.
        Map<String, Object> row = jdbc.queryForMap("select secret_hash, row_to_json(t)::text as everything "
                + "from api_token t where id = ?", Long.parseLong((String) token.get("id")));
        assertThat((byte[]) row.get("secret_hash")).isEqualTo(Sha256.of(secret));
        assertThat((String) row.get("everything")).doesNotContain(secret).doesNotContain(secret.substring(4));

        server.admin().documentName("revokeApiToken")
                .variable("id", token.get("id")).execute().path("revokeApiToken.revokedAt").hasValue();
        HttpResponse<String> revoked = post("Bearer " + secret);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(message(revoked)).isEqualTo("Invalid or revoked API token");
        server.admin().documentName("apiTokens").execute().path("apiTokens[*].id")
                .entityList(String.class).contains((String) token.get("id"));
    }

    @Test
    void shouldLetOnlyTheAdminManageTokens() {
        HttpGraphQlTester writer = server.graphQl(server.createToken("WRITE", null));
        assertThat(errorCode(writer.documentName("apiTokens").execute(), "FORBIDDEN")).contains("admin token");
        errorCode(writer.documentName("createApiToken").variable("name", "x").variable("scope", "WRITE").execute(),
                "FORBIDDEN");
        errorCode(server.admin().documentName("revokeApiToken").variable("id", "999999999").execute(),
                "NOT_FOUND");
        errorCode(server.admin().documentName("createApiToken").variable("name", "x").variable("scope", "READ")
                .variable("projects", List.of())
                .execute(), "BAD_USER_INPUT");
    }

    @Test
    void shouldLetAReadTokenQueryButNotMutate() {
        server.admin().documentName("createModel").variable("project", project).variable("name", "m").execute();
        HttpGraphQlTester reader = server.graphQl(server.createToken("READ", null));

        reader.documentName("project").variable("name", project).execute()
                .path("project.name").entity(String.class).isEqualTo(project);
        String message = errorCode(reader.documentName("createModel").variable("project", project).variable("name", "x")
                .execute(), "FORBIDDEN");
        assertThat(message).contains("read-only");
        reader.documentName("project").variable("name", project)
                .execute().path("project.models[*].name").entityList(String.class).containsExactly("m");
    }

    @Test
    void shouldShowAProjectScopedTokenNothingOfOtherProjects() {
        Fixture a = fixture(project + "-a");
        Fixture b = fixture(project + "-b");
        HttpGraphQlTester scoped = server.graphQl(server.createToken("WRITE", List.of(a.project)));

        scoped.documentName("projects").execute().path("projects[*].name").entityList(String.class)
                .containsExactly(a.project);
        scoped.documentName("project").variable("name", b.project).execute()
                .path("project").valueIsNull();
        scoped.documentName("model").variable("id", b.model).execute()
                .path("model").valueIsNull();
        scoped.documentName("run").variable("id", b.run).execute()
                .path("run").valueIsNull();
        scoped.documentName("run").variable("id", a.run)
                .execute().path("run.model.project.name").entity(String.class).isEqualTo(a.project);
        scoped.documentName("runs").variable("first", 500).execute()
                .path("runs.edges[*].node.id").entityList(String.class).containsExactly(a.run)
                .path("runs.totalCount").entity(Integer.class).isEqualTo(1);
        scoped.documentName("runs").variable("project", b.project).execute()
                .path("runs.totalCount").entity(Integer.class).isEqualTo(0);
        scoped.documentName("runs").variable("modelId", b.model).execute()
                .path("runs.totalCount").entity(Integer.class).isEqualTo(0);
        scoped.documentName("series").variable("runIds", List.of(a.run, b.run))
                .execute().path("series[*].runId").entityList(String.class).containsExactly(a.run);
    }

    @Test
    void shouldRefuseAProjectScopedTokenWritesToOtherProjects() {
        Fixture a = fixture(project + "-a");
        Fixture b = fixture(project + "-b");
        HttpGraphQlTester scoped = server.graphQl(server.createToken("WRITE", List.of(a.project)));

        assertThat(errorCode(scoped.documentName("createModel").variable("project", b.project).variable("name", "x")
                .execute(), "FORBIDDEN")).contains(b.project);
        errorCode(scoped.documentName("deleteProject").variable("name", b.project)
                .execute(), "FORBIDDEN");
        errorCode(scoped.documentName("createRunOfModel").variable("modelId", b.model)
                .execute(), "NOT_FOUND");
        errorCode(scoped.documentName("deleteModel").variable("id", b.model).execute(),
                "NOT_FOUND");
        assertThat(errorCode(logMetrics(scoped, b.run, 1), "NOT_FOUND")).isEqualTo("No run with id " + b.run);
        errorCode(scoped.documentName("updateRunStatus").variable("status", "FAILED")
                .variable("runId", b.run).execute(), "NOT_FOUND");
        scoped.documentName("deleteRuns").variable("ids", List.of(b.run)).execute()
                .path("deleteRuns").entity(Integer.class).isEqualTo(0);
        server.admin().documentName("run")
                .variable("id", b.run).execute().path("run.status").entity(String.class).isEqualTo("RUNNING")
                .path("run.summaries[0].count").entity(Long.class).isEqualTo(1L);

        // Its own project it may change.
        logMetrics(scoped, a.run, 1).path("logMetrics.accepted").entity(Integer.class).isEqualTo(1);
        scoped.documentName("createModel").variable("project", a.project).variable("name", "another").execute()
                .path("createModel.id").hasValue();
    }

    @Test
    void shouldKeepHealthOpenAndTheOtherActuatorEndpointsForTheAdmin() throws Exception {
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/metrics", server.createToken("WRITE", null)).statusCode()).isEqualTo(403);
        assertThat(get("/actuator/metrics", SecuredServer.ADMIN_TOKEN).statusCode()).isEqualTo(200);
    }

    /** What the Helm chart's probes ask (deploy/helm): Spring Boot 4 serves both by default, open like all health. */
    @Test
    void shouldAnswerKubernetesProbesWithoutAToken() throws Exception {
        for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health/readiness"}) {
            HttpResponse<String> response = get(probe, null);
            assertThat(response.statusCode()).as(probe).isEqualTo(200);
            assertThat(response.body()).as(probe).isEqualTo("{\"status\":\"UP\"}");
        }
    }

    @Test
    void shouldAnswerAPreflightFromAnAllowedOrigin() throws Exception {
        HttpResponse<String> preflight = preflight("/graphql", "authorization,content-type");
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SecuredServer.ALLOWED_ORIGIN);
        // what a browser's OTLP exporter sends
        HttpResponse<String> otlp = preflight("/v1/traces",
                "authorization,content-type,content-encoding,x-trackstack-project");
        assertThat(otlp.statusCode()).isEqualTo(200);
        assertThat(otlp.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                .contains("content-encoding", "x-trackstack-project");
        // a resumable upload's part, and TrainTrack's REST API
        HttpResponse<String> upload = preflight("/api/v1/uploads/1", "PATCH", "authorization,upload-offset");
        assertThat(upload.statusCode()).isEqualTo(200);
        assertThat(upload.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("PATCH");
        assertThat(preflight("/traintrack/runs/1", "DELETE", "authorization").statusCode()).isEqualTo(200);
        assertThat(preflight("/graphql", "PUT", "authorization").statusCode()).isEqualTo(403);
    }

    private HttpResponse<String> preflight(String path, String headers) throws Exception {
        return preflight(path, "POST", headers);
    }

    private HttpResponse<String> preflight(String path, String method, String headers) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri(path)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", SecuredServer.ALLOWED_ORIGIN).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Fixture(String project, String model, String run) {
    }

    /** A project with a model and a run with one point, made by the admin. */
    private Fixture fixture(String name) {
        HttpGraphQlTester admin = server.admin();
        String model = admin.documentName("createModel").variable("project", name).variable("name", "m").execute()
                .path("createModel.id").entity(String.class).get();
        String run = admin.documentName("createRunOfModel").variable("modelId", model)
                .execute().path("createRun.id").entity(String.class).get();
        logMetrics(admin, run, 0);
        return new Fixture(name, model, run);
    }

    private static GraphQlTester.Response logMetrics(HttpGraphQlTester client, String run, long step) {
        return client.documentName("logMetrics").variable("runId", run)
                .variable("points", List.of(point("loss", null, step, 1.0))).execute();
    }

    private HttpResponse<String> post(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ projects { name } }\"}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String code(HttpResponse<String> response) {
        return error(response).at("/extensions/code").asString();
    }

    private String message(HttpResponse<String> response) {
        return error(response).at("/message").asString();
    }

    private JsonNode error(HttpResponse<String> response) {
        JsonNode errors = json.readTree(response.body()).get("errors");
        assertThat(errors.size()).as(response.body()).isEqualTo(1);
        return errors.get(0);
    }
}
