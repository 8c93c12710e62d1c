package dev.trackstack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import dev.trackstack.ApiTest;
import dev.trackstack.RawHttp;
import org.junit.jupiter.api.Test;

/** The default server (loopback, no tokens) still closes the browser's doors. */
class WebSecurityTests extends ApiTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldSendSecurityHeadersWithTheDashboard() throws Exception {
        HttpResponse<String> page = page("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("default-src 'self'", "script-src 'self';", "frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    }

    @Test
    void shouldGiveGraphiqlTheDashboardsPolicyWithInlineFontsOnly() throws Exception {
        String dashboard = page("/").headers().firstValue("Content-Security-Policy").orElseThrow();
        for (String path : List.of("/graphiql", "/graphiql.html")) {
            HttpResponse<String> page = page(path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            // GraphiQL's code is bundled like the dashboard's: no CDN, no eval; its fonts come as data: URLs.
            assertThat(page.headers().firstValue("Content-Security-Policy")).as(path)
                    .hasValue(dashboard + "; font-src 'self' data:");
            assertThat(page.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        }
        assertThat(dashboard).doesNotContain("font-src");
    }

    @Test
    void shouldRefuseCrossOriginCallsFromAnUnlistedOrigin() throws Exception {
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(uri("/graphql"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/graphql"))
                .header("Origin", "https://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ projects { name } }\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(post.body()).doesNotContain("projects");
    }

    @Test
    void shouldRefuseAForeignHostNameAgainstDnsRebinding() throws Exception {
        String mutation = "mutation { createModel(project: \\\"" + project + "\\\", name: \\\"m\\\") { id } }";
        RawHttp rebound = RawHttp.postGraphQl(port, "evil.example:" + port, "Origin: http://evil.example:" + port
                + "\r\n", mutation);
        assertThat(rebound.status()).isEqualTo(403);
        assertThat(rebound.text()).contains("\"code\":\"FORBIDDEN\"", "'evil.example'", "trackstack.allowed-hosts");
        // the same name from a proxy on this machine (trusted, so its X-Forwarded-Host counts)
        assertThat(RawHttp.postGraphQl(port, "localhost:" + port, "X-Forwarded-Host: evil.example\r\n", mutation)
                .status()).isEqualTo(403);
        RawHttp handshake = RawHttp.exchange(port, "GET /graphql HTTP/1.1\r\nHost: evil.example:" + port + "\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: graphql-transport-ws\r\n", "");
        assertThat(handshake.status()).isEqualTo(403);
        graphQl.documentName("project").variable("name", project)
                .execute().path("project").valueIsNull();

        for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "localhost")) {
            assertThat(RawHttp.postGraphQl(port, host, "", "{ projects { name } }").text()).as(host)
                    .contains("\"projects\":[");
        }
    }

    @Test
    void shouldIgnoreTokensWhenTheyAreNotRequired() {
        // A client configured with a token (say, for a shared server) still works against a local one.
        graphQl.mutate().header("Authorization", "Bearer tst_whatever").build()
                .documentName("projects").execute().path("projects").hasValue();
    }

    private HttpResponse<String> page(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
