package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;

class WebTests extends ApiTest {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

    @Test
    void shouldServeTheDashboardAndItsDeepLinks() throws Exception {
        assertThat(get("/").body()).contains("<title>Trackstack</title>");
        assertThat(get("/projects/vision/runs").body()).contains("<title>Trackstack</title>");
    }

    @Test
    void shouldServeGraphiQL() throws Exception {
        HttpResponse<String> response = get("/graphiql");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).containsIgnoringCase("graphiql");
    }

    @Test
    void shouldAnswerIntrospectionForGraphiQL() {
        graphQl.document("""
                query IntrospectionQuery {
                  __schema {
                    queryType { name }
                    types { ...FullType }
                  }
                }
                fragment FullType on __Type {
                  kind name
                  fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } }
                  inputFields { ...InputValue }
                }
                fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
                fragment TypeRef on __Type {
                  kind name
                  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
                    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
                }
                """).execute().path("__schema.queryType.name").entity(String.class).isEqualTo("Query");
    }

    @Test
    void shouldGiveSyntaxAndValidationErrorsACode() {
        errorCode(graphQl.document("{ projects { name ").execute(), "BAD_USER_INPUT");
        errorCode(graphQl.document("{ noSuchField }").execute(), "BAD_USER_INPUT");
    }

    @Test
    void shouldRefuseADocumentNestedBeyondTheDepthLimit() {
        String deep = "{ projects { " + "models { project { ".repeat(8) + "name" + " } }".repeat(8) + " } }";
        assertThat(errorCode(graphQl.document(deep).execute(), "LIMIT_EXCEEDED")).containsIgnoringCase("depth");
    }

    @Test
    void shouldNeverLeakAStackTraceOrSql() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"mutation { logMetrics(runId: \\\"1\\\", "
                        + "points: [{name: \\\"x\\\", step: 99999999999999999999, value: 1}]) { accepted } }\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("BAD_USER_INPUT").doesNotContain("at dev.trackstack")
                .doesNotContainIgnoringCase("select ").doesNotContain("Exception");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
