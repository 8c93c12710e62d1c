package dev.trackstack.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** The transfer protocol of docs/api.md spoken over real HTTP to a test server, with or without a token. */
public final class ArtifactHttp {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;
    private final String token;

    String token() {
        return token;
    }

    public ArtifactHttp(int port, String token) {
        this.base = "http://localhost:" + port;
        this.token = token;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> start(String project, String sha256, long size) throws IOException, InterruptedException {
        return send(request("/api/v1/projects/" + project + "/uploads").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonMapper.shared().writeValueAsString(
                        Map.of("sha256", sha256, "size", size)))));
    }

    HttpResponse<String> patch(String id, long offset, byte[] body) throws IOException, InterruptedException {
        return send(request("/api/v1/uploads/" + id).header("Upload-Offset", Long.toString(offset))
                .header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Uploads the bytes in one part; answers the blob's SHA-256. */
    public String upload(String project, byte[] bytes) throws IOException, InterruptedException {
        String sha256 = sha256(bytes);
        HttpResponse<String> started = start(project, sha256, bytes.length);
        Map<?, ?> answer = JsonMapper.shared().readValue(started.body(), Map.class);
        if (answer.get("complete") == null) {
            assertThat(started.statusCode()).as(started.body()).isIn(200, 201);
            HttpResponse<String> done = patch((String) answer.get("id"), 0, bytes);
            assertThat(done.statusCode()).as(done.body()).isEqualTo(204);
            assertThat(done.headers().firstValue("Upload-Complete")).hasValue("true");
        }
        return sha256;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> response) {
        return JsonMapper.shared().readValue(response.body(), Map.class);
    }

    public static String code(HttpResponse<String> response) {
        return JsonMapper.shared().readTree(response.body()).at("/errors/0/extensions/code").asString();
    }
}
