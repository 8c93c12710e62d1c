package dev.trackstack.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

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
    void shouldAnswerAnUnknownPathWith404AndTheDashboardOrAJsonErrorUnderTheApi() throws Exception {
        assertThat(get("/evals/compare?baseline=1").statusCode()).isEqualTo(200);
        for (String path : List.of("/nope", "/projects-typo/x")) {
            HttpResponse<String> page = get(path);
            assertThat(page.statusCode()).as(path).isEqualTo(404);
            assertThat(page.body()).as(path).contains("<title>Trackstack</title>").doesNotContain("Whitelabel");
        }
        for (String path : List.of("/api/nope", "/api/v1/nope")) {
            HttpResponse<String> api = get(path);
            assertThat(api.statusCode()).as(path).isEqualTo(404);
            assertThat(api.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(api.body()).as(path).contains("\"code\":\"NOT_FOUND\"", "Nothing at " + path);
        }
    }

    @Test
    void shouldServeOurOwnGraphiQL() throws Exception {
        HttpResponse<String> response = get("/graphiql");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/html"));
        // the webapp's page, whose code is its own (/assets/), not Spring for GraphQL's from a CDN
        assertThat(response.body()).contains("<title>GraphiQL · Trackstack</title>", "src=\"/assets/graphiql-")
                .doesNotContain("esm.sh", "https://");
    }

    @Test
    void shouldLetBrowsersKeepTheFingerprintedAssetsAndCheckThePagesThatNameThem() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        Matcher script = Pattern.compile("src=\"(/assets/index-[^\"]+\\.js)\"").matcher(page.body());
        assertThat(script.find()).as("index.html names its script").isTrue();

        HttpResponse<byte[]> asset = http.send(HttpRequest.newBuilder(uri(script.group(1)))
                .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.headers().firstValue("Cache-Control")).hasValue("max-age=31536000, public, immutable");
        assertThat(asset.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String code = new String(new GZIPInputStream(new ByteArrayInputStream(asset.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(code.length()).as("the script, unzipped").isGreaterThan(asset.body().length * 2);
    }

    @Test
    void shouldAnswerIntrospectionForGraphiQL() {
        graphQl.documentName("introspection").execute().path("__schema.queryType.name").entity(String.class)
                .isEqualTo("Query");
    }

    @Test
    void shouldNeverLeakAStackTraceOrSql() throws Exception {
        HttpResponse<String> response = postGraphQl(port, "{\"query\":\"mutation { logMetrics(runId: \\\"1\\\", "
                + "points: [{name: \\\"x\\\", step: 99999999999999999999, value: 1}]) { accepted } }\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("BAD_USER_INPUT").doesNotContain("at dev.trackstack")
                .doesNotContainIgnoringCase("select ").doesNotContain("Exception");
    }

    @Test
    void shouldRefuseGraphQlOverGetSoThatALinkCannotMutate() throws Exception {
        String mutation = "mutation { createModel(project: \"" + project + "\", name: \"m\") { id } }";
        HttpResponse<String> response = get("/graphql?query=" + URLEncoder.encode(mutation, StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(get("/graphql?query=%7Bprojects%7Bname%7D%7D").statusCode()).isEqualTo(405);
        graphQl.documentName("project").variable("name", project)
                .execute().path("project").valueIsNull();
    }

    @Test
    void shouldAnswerABodyThatIsNotAGraphQlRequestWith400AndACode() throws Exception {
        for (String body : List.of("", "null", "{\"query\": ", "[1, 2]", "{\"variables\": {}}", "{\"query\": null}",
                "{\"query\": \"{ projects { name } }\", \"variables\": \"x\"}",
                "{\"query\": \"{ projects { name } }\", \"variables\": {\"a\": " + "[".repeat(2000)
                        + "]".repeat(2000) + "}}")) {
            HttpResponse<String> response = postGraphQl(port, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(response.body()).as(body).contains("\"code\":\"BAD_USER_INPUT\"", "must be a JSON object");
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
