package dev.trackstack.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/** On a server that requires API tokens: who may upload, commit and download, and signed links without a token. */
class ArtifactAccessTests extends ApiTest {

    private SecuredServer server;

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
    }

    private Map<String, Object> input(byte[] data) {
        return Map.of("project", project, "name", "model", "type", "model",
                "files", List.of(ArtifactTests.file("dir/model.pt", data)));
    }

    @Test
    void shouldKeepTransfersToTokensOfTheProject() throws Exception {
        byte[] data = ArtifactTests.bytes(1000, 1);
        String sha256 = ArtifactHttp.sha256(data);
        ArtifactHttp anybody = new ArtifactHttp(server.port(), null);
        ArtifactHttp read = new ArtifactHttp(server.port(), server.createToken("READ", null));
        ArtifactHttp other = new ArtifactHttp(server.port(), server.createToken("WRITE", List.of(project + "-other")));
        String writeToken = server.createToken("WRITE", List.of(project));
        ArtifactHttp write = new ArtifactHttp(server.port(), writeToken);

        HttpResponse<String> none = anybody.start(project, sha256, data.length);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(ArtifactHttp.code(none)).isEqualTo("UNAUTHENTICATED");
        for (ArtifactHttp refused : List.of(read, other)) {
            HttpResponse<String> response = refused.start(project, sha256, data.length);
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(ArtifactHttp.code(response)).isEqualTo("FORBIDDEN");
        }
        String id = (String) ArtifactHttp.json(write.start(project, sha256, data.length)).get("id");
        // Another project's token cannot append to the upload either.
        assertThat(other.patch(id, 0, data).statusCode()).isEqualTo(403);
        assertThat(write.patch(id, 0, data).statusCode()).isEqualTo(204);

        HttpGraphQlTester writer = server.graphQl(writeToken);
        writer.document(ArtifactTests.LOG).variable("input", input(data)).execute()
                .path("logArtifact.created").entity(Boolean.class).isEqualTo(true);
        errorCode(server.graphQl(other.token()).document(ArtifactTests.LOG).variable("input", input(data)).execute(),
                "FORBIDDEN");
        server.graphQl(other.token()).document("query($p: String!) { artifact(project: $p, name: \"model\") { id } }")
                .variable("p", project).execute().path("artifact").valueIsNull();

        String blob = "/api/v1/projects/" + project + "/blobs/" + sha256;
        assertThat(read.send(read.request(blob)).statusCode()).isEqualTo(200);
        assertThat(other.send(other.request(blob)).statusCode()).isEqualTo(403);
        assertThat(anybody.send(anybody.request(blob)).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldServeSignedLinksWithoutAToken() throws Exception {
        byte[] data = ArtifactTests.bytes(500, 2);
        String token = server.createToken("WRITE", null);
        new ArtifactHttp(server.port(), token).upload(project, data);
        String url = server.graphQl(token).document(ArtifactTests.LOG).variable("input", input(data)).execute()
                .path("logArtifact.version.files.edges[0].node.downloadUrl").entity(String.class).get();
        ArtifactHttp anybody = new ArtifactHttp(server.port(), null);

        HttpResponse<byte[]> signed = ArtifactHttp.HTTP.send(anybody.request(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).isEqualTo(data);

        String tampered = url.substring(0, url.length() - 2) + (url.endsWith("AA") ? "BB" : "AA");
        assertThat(anybody.send(anybody.request(tampered)).statusCode()).isEqualTo(403);
        assertThat(anybody.send(anybody.request(url.replace("name=model.pt", "name=other.pt"))).statusCode())
                .isEqualTo(403);

        // Signed with the server's own key: a minute ago refused, for the minute to come accepted.
        String sha256 = ArtifactHttp.sha256(data);
        SecretKeySpec key = new SecretKeySpec(jdbc.queryForObject("select key from artifact_signing_key",
                byte[].class), "HmacSHA256");
        long expired = Instant.now().minusSeconds(60).getEpochSecond();
        HttpResponse<String> late = anybody.send(anybody.request(link(key, sha256, expired)));
        assertThat(late.statusCode()).isEqualTo(403);
        assertThat(ArtifactHttp.code(late)).isEqualTo("FORBIDDEN");
        long valid = Instant.now().plusSeconds(60).getEpochSecond();
        assertThat(anybody.send(anybody.request(link(key, sha256, valid))).statusCode()).isEqualTo(200);
    }

    private String link(SecretKeySpec key, String sha256, long expires) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        String signature = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(
                (project + "\n" + sha256 + "\nmodel.pt\n" + expires).getBytes(StandardCharsets.UTF_8)));
        return "/api/v1/projects/" + project + "/blobs/" + sha256 + "?name=model.pt&expires=" + expires
                + "&signature=" + signature;
    }
}
