package dev.trackstack.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.sql.DataSource;

import dev.trackstack.ApiTest;
import dev.trackstack.media.MediaFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.test.tester.GraphQlTester;

/** Artifacts on the filesystem store, over real HTTP and GraphQL against the test server. */
class ArtifactTests extends ApiTest {

    static final String LOG = """
            mutation($input: LogArtifactInput!) { logArtifact(input: $input) { created missingBlobs
              version { id version digest size fileCount aliases metadata
                files { totalCount edges { node { path size sha256 downloadUrl } } } } } }""";

    @Autowired
    private ArtifactDirectory directory;

    @Autowired
    private ArtifactCollector collector;

    @Autowired
    private DataSource dataSource;

    private ArtifactHttp http;

    @BeforeEach
    void client() {
        http = new ArtifactHttp(port, null);
    }

    static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static Map<String, Object> file(String path, byte[] bytes) {
        return Map.of("path", path, "size", bytes.length, "sha256", ArtifactHttp.sha256(bytes));
    }

    GraphQlTester.Response log(String name, List<Map<String, Object>> files, Map<String, Object> extra) {
        Map<String, Object> input = new HashMap<>(Map.of("project", project, "name", name, "type", "model",
                "files", files));
        input.putAll(extra);
        return graphQl.document(LOG).variable("input", input).execute();
    }

    /** Uploads each file's bytes and logs them: answers the version. */
    Map<?, ?> logUploaded(String name, Map<String, byte[]> files, Map<String, Object> extra) throws Exception {
        List<Map<String, Object>> manifest = new ArrayList<>();
        for (var entry : files.entrySet()) {
            http.upload(project, entry.getValue());
            manifest.add(file(entry.getKey(), entry.getValue()));
        }
        return log(name, manifest, extra).path("logArtifact.version").entity(Map.class).get();
    }

    Path blobFile(String sha256) {
        return directory.blobs().resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    @Test
    void shouldUploadCommitAndDownloadWithRangesAndEtag() throws Exception {
        byte[] model = bytes(3_000_000, 1);
        List<Map<String, Object>> manifest = List.of(file("weights/model.pt", model));

        GraphQlTester.Response first = log("resnet", manifest, Map.of());
        first.path("logArtifact.version").valueIsNull();
        first.path("logArtifact.missingBlobs").entityList(String.class).containsExactly(ArtifactHttp.sha256(model));

        String sha256 = http.upload(project, model);
        GraphQlTester.Response second = log("resnet", manifest, Map.of("metadata", Map.of("val_acc", 0.91)));
        second.path("logArtifact.created").entity(Boolean.class).isEqualTo(true);
        second.path("logArtifact.version.version").entity(Integer.class).isEqualTo(1);
        second.path("logArtifact.version.aliases").entityList(String.class).containsExactly("latest");
        second.path("logArtifact.version.metadata.val_acc").entity(Double.class).isEqualTo(0.91);
        String digest = ArtifactHttp.sha256(("weights/model.pt " + model.length + " " + sha256 + "\n")
                .getBytes(StandardCharsets.UTF_8));
        second.path("logArtifact.version.digest").entity(String.class).isEqualTo(digest);
        String url = second.path("logArtifact.version.files.edges[0].node.downloadUrl").entity(String.class).get();
        assertThat(url).startsWith("/api/v1/projects/" + project + "/blobs/" + sha256 + "?name=model.pt&expires=");
        long expires = Long.parseLong(url.replaceAll(".*expires=(\\d+).*", "$1"));
        assertThat(expires % 3600).as("a whole hour, so that a browser caches the link").isZero();
        assertThat(expires - Instant.now().getEpochSecond()).isBetween(3600L, 7200L);
        assertThat(log("resnet", manifest, Map.of()).path("logArtifact.version.files.edges[0].node.downloadUrl")
                .entity(String.class).get()).as("asked again in the same hour").isEqualTo(url);

        String path = "/api/v1/projects/" + project + "/blobs/" + sha256;
        HttpResponse<byte[]> whole = ArtifactHttp.HTTP.send(http.request(path + "?name=model.pt").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(model);
        assertThat(whole.headers().firstValue("ETag")).hasValue("\"" + sha256 + "\"");
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(whole.headers().firstValue("Content-Disposition").orElseThrow()).contains("attachment")
                .contains("model.pt");

        HttpResponse<byte[]> part = ArtifactHttp.HTTP.send(http.request(path).header("Range", "bytes=100-199")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(model, 100, 200));
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + model.length);

        HttpResponse<byte[]> tail = ArtifactHttp.HTTP.send(http.request(path).header("Range", "bytes=-10").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(model, model.length - 10, model.length));

        HttpResponse<String> outside = http.send(http.request(path).header("Range", "bytes=" + model.length + "-"));
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(outside.headers().firstValue("Content-Range")).hasValue("bytes */" + model.length);

        HttpResponse<String> head = http.send(http.request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(model.length);
        assertThat(head.body()).isEmpty();

        HttpResponse<String> cached = http.send(http.request(path).header("If-None-Match", "\"" + sha256 + "\""));
        assertThat(cached.statusCode()).isEqualTo(304);

        // Another project does not hold it: its path does not serve it.
        HttpResponse<String> elsewhere = http.send(http.request("/api/v1/projects/" + project + "-x/blobs/" + sha256));
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(ArtifactHttp.code(elsewhere)).isEqualTo("NOT_FOUND");
    }

    @Test
    void shouldDeduplicateVersionsAndBlobs() throws Exception {
        byte[] shared = bytes(1000, 2);
        Map<?, ?> v1 = logUploaded("data", Map.of("a.bin", shared, "b.bin", bytes(10, 3)), Map.of());
        // The same manifest again: the same version, nothing new.
        GraphQlTester.Response again = log("data", List.of(file("b.bin", bytes(10, 3)), file("a.bin", shared)),
                Map.of());
        again.path("logArtifact.created").entity(Boolean.class).isEqualTo(false);
        again.path("logArtifact.version.id").entity(String.class).isEqualTo((String) v1.get("id"));
        // A second version holding the same bytes under another path: no upload needed, the blob is stored once.
        HttpResponse<String> announced = http.start(project, ArtifactHttp.sha256(shared), shared.length);
        assertThat(ArtifactHttp.json(announced)).containsEntry("complete", true);
        GraphQlTester.Response v2 = log("data", List.of(file("c.bin", shared)), Map.of());
        v2.path("logArtifact.version.version").entity(Integer.class).isEqualTo(2);
        assertThat(jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class,
                ArtifactHttp.sha256(shared))).isEqualTo(1);
        assertThat(graphQl.document("query($p: String!) { artifactStorage(project: $p) { bytes blobs versions } }")
                .variable("p", project).execute().path("artifactStorage").entity(Map.class).get())
                .isEqualTo(Map.of("bytes", 1010, "blobs", 2, "versions", 2));
    }

    @Test
    void shouldMoveAliases() throws Exception {
        logUploaded("ckpt", Map.of("m", bytes(5, 10)), Map.of("aliases", List.of("best")));
        logUploaded("ckpt", Map.of("m", bytes(5, 11)), Map.of());
        String aliases = "query($p: String!) { artifact(project: $p, name: \"ckpt\") { latestVersion versionCount "
                + "aliases { alias version } } }";
        assertThat(graphQl.document(aliases).variable("p", project).execute().path("artifact.aliases")
                .entityList(Map.class).get()).containsExactly(Map.of("alias", "latest", "version", 2),
                        Map.of("alias", "best", "version", 1));
        graphQl.document("mutation($p: String!) { setArtifactAlias(project: $p, name: \"ckpt\", alias: \"best\", "
                + "version: 2) { version aliases } }").variable("p", project).execute()
                .path("setArtifactAlias.aliases").entityList(String.class).containsExactly("latest", "best");
        errorCode(graphQl.document("mutation($p: String!) { setArtifactAlias(project: $p, name: \"ckpt\", "
                + "alias: \"latest\", version: 1) { version } }").variable("p", project).execute(), "BAD_USER_INPUT");
        graphQl.document("query($p: String!) { artifactVersion(project: $p, name: \"ckpt\", alias: \"best\") { version } }")
                .variable("p", project).execute().path("artifactVersion.version").entity(Integer.class).isEqualTo(2);
        graphQl.document("mutation($p: String!) { deleteArtifactAlias(project: $p, name: \"ckpt\", alias: \"best\") }")
                .variable("p", project).execute().path("deleteArtifactAlias").entity(Boolean.class).isEqualTo(true);
        errorCode(graphQl.document("query($p: String!) { artifactVersion(project: $p, name: \"ckpt\", alias: \"best\") "
                + "{ version } }").variable("p", project).execute(), "NOT_FOUND");
        // Deleting the highest version moves latest back.
        graphQl.document("mutation($p: String!) { deleteArtifactVersion(project: $p, name: \"ckpt\", version: 2) }")
                .variable("p", project).execute().path("deleteArtifactVersion").entity(Boolean.class).isEqualTo(true);
        graphQl.document(aliases).variable("p", project).execute().path("artifact.aliases").entityList(Map.class)
                .containsExactly(Map.of("alias", "latest", "version", 1));
    }

    @Test
    void shouldRecordLineageBothWays() throws Exception {
        String modelId = createModel("m");
        String producer = createRun(modelId, "train", Map.of(), List.of());
        String consumer = createRun(modelId, "eval", Map.of(), List.of());
        logUploaded("net", Map.of("w", bytes(7, 20)), Map.of("runId", producer));
        graphQl.document("mutation($r: ID!, $p: String!) { useArtifact(runId: $r, project: $p, name: \"net\", "
                + "alias: \"latest\") { version } }").variable("r", consumer).variable("p", project).execute()
                .path("useArtifact.version").entity(Integer.class).isEqualTo(1);
        graphQl.document("query($p: String!) { artifactVersion(project: $p, name: \"net\") { producedBy { id } "
                + "usedBy { id } } }").variable("p", project).execute()
                .path("artifactVersion.producedBy.id").entity(String.class).isEqualTo(producer)
                .path("artifactVersion.usedBy[*].id").entityList(String.class).containsExactly(consumer);
        graphQl.document("query($id: ID!) { run(id: $id) { loggedArtifacts { version artifact { name } } } }")
                .variable("id", producer).execute().path("run.loggedArtifacts[*].artifact.name")
                .entityList(String.class).containsExactly("net");
        graphQl.document("query($id: ID!) { run(id: $id) { usedArtifacts { version } } }")
                .variable("id", consumer).execute().path("run.usedArtifacts[*].version")
                .entityList(Integer.class).containsExactly(1);
        // A run of another project is NOT_FOUND.
        errorCode(graphQl.document("mutation($r: ID!, $p: String!) { useArtifact(runId: $r, project: $p, "
                + "name: \"net\") { version } }").variable("r", consumer).variable("p", project + "-other").execute(),
                "NOT_FOUND");
    }

    @Test
    void shouldResumeAfterACutConnection() throws Exception {
        // Big enough that both parts bypass the page cache, cut off the disk's blocks: the head, the whole blocks
        // and the tail of each buffer take their own ways to the same file (UploadWriter).
        byte[] big = bytes((int) UploadWriter.DIRECT_FROM_BYTES * 2 + 12_345, 30);
        String sha256 = ArtifactHttp.sha256(big);
        String id = (String) ArtifactHttp.json(http.start(project, sha256, big.length)).get("id");
        int sent = 3_000_001;
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH /api/v1/uploads/" + id + " HTTP/1.1\r\nHost: localhost\r\nUpload-Offset: 0\r\n"
                    + "Content-Type: application/offset+octet-stream\r\nContent-Length: " + big.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(big, 0, sent);
            out.flush();
        }
        long offset = -1;
        for (int i = 0; i < 100 && offset != sent; i++) {
            Thread.sleep(100);
            offset = http.send(http.request("/api/v1/uploads/" + id).method("HEAD", HttpRequest.BodyPublishers
                    .noBody())).headers().firstValueAsLong("Upload-Offset").orElseThrow();
        }
        assertThat(offset).isEqualTo(sent);
        // Starting again names the same upload and where it is.
        HttpResponse<String> resumed = http.start(project, sha256, big.length);
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(ArtifactHttp.json(resumed)).containsEntry("id", id).containsEntry("offset", sent);

        HttpResponse<String> rest = http.patch(id, offset, java.util.Arrays.copyOfRange(big, sent, big.length));
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(204);
        assertThat(rest.headers().firstValue("Upload-Complete")).hasValue("true");
        assertThat(Files.readAllBytes(blobFile(sha256))).isEqualTo(big);
        assertThat(Files.exists(directory.uploads().resolve(id))).isFalse();
    }

    /** Another replica holds the first part's bytes on its disk, or this one lost its disk with its pod. */
    @Test
    void shouldStartAgainWhenThisServerLacksAnUploadsFirstBytes() throws Exception {
        byte[] data = bytes(100, 45);
        String sha256 = ArtifactHttp.sha256(data);
        String id = (String) ArtifactHttp.json(http.start(project, sha256, 100)).get("id");
        assertThat(http.patch(id, 0, java.util.Arrays.copyOf(data, 40)).statusCode()).isEqualTo(204);
        Files.delete(directory.uploads().resolve(id));

        HttpResponse<String> elsewhere = http.patch(id, 40, java.util.Arrays.copyOfRange(data, 40, 100));
        assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(409);
        assertThat(elsewhere.headers().firstValue("Upload-Offset")).hasValue("0");
        assertThat(http.patch(id, 0, data).statusCode()).isEqualTo(204);
        assertThat(Files.readAllBytes(blobFile(sha256))).isEqualTo(data);
    }

    @Test
    void shouldRefuseAWrongOffset() throws Exception {
        byte[] data = bytes(100, 40);
        String id = (String) ArtifactHttp.json(http.start(project, ArtifactHttp.sha256(data), 100)).get("id");
        assertThat(http.patch(id, 0, java.util.Arrays.copyOf(data, 40)).statusCode()).isEqualTo(204);
        HttpResponse<String> wrong = http.patch(id, 10, java.util.Arrays.copyOfRange(data, 10, 100));
        assertThat(wrong.statusCode()).isEqualTo(409);
        assertThat(ArtifactHttp.code(wrong)).isEqualTo("CONFLICT");
        assertThat(wrong.headers().firstValue("Upload-Offset")).hasValue("40");
        HttpResponse<String> tooMany = http.patch(id, 40, new byte[61]);
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(ArtifactHttp.code(tooMany)).isEqualTo("LIMIT_EXCEEDED");
        assertThat(http.patch(id, 40, java.util.Arrays.copyOfRange(data, 40, 100)).statusCode()).isEqualTo(204);
    }

    @Test
    void shouldDiscardBytesThatDoNotMatchTheirSha256() throws Exception {
        byte[] data = bytes(1000, 50);
        String claimed = ArtifactHttp.sha256(bytes(1000, 51));
        String id = (String) ArtifactHttp.json(http.start(project, claimed, 1000)).get("id");
        HttpResponse<String> mismatch = http.patch(id, 0, data);
        assertThat(mismatch.statusCode()).isEqualTo(422);
        assertThat(ArtifactHttp.code(mismatch)).isEqualTo("CHECKSUM_MISMATCH");
        assertThat(jdbc.queryForObject("select count(*) from upload where id = ?::uuid", Integer.class, id)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class, claimed)).isZero();
        assertThat(Files.exists(directory.uploads().resolve(id))).isFalse();
        assertThat(Files.exists(blobFile(claimed))).isFalse();
    }

    @Test
    void shouldRefuseBadPaths() {
        byte[] data = bytes(3, 60);
        for (String path : List.of("../etc/passwd", "a/../../b", "/abs/model.pt", "a//b", "./a", "a/", "a\\..\\b")) {
            errorCode(log("bad", List.of(file(path, data)), Map.of()), "BAD_USER_INPUT");
        }
        errorCode(log("bad", List.of(file("same", data), file("same", bytes(3, 61))), Map.of()), "BAD_USER_INPUT");
        errorCode(log("bad/name", List.of(file("ok", data)), Map.of()), "BAD_USER_INPUT");
        assertThat(jdbc.queryForObject("select count(*) from artifact a join project p on p.id = a.project_id "
                + "where p.name = ?", Integer.class, project)).isZero();
    }

    @Test
    void shouldRefuseFilesOverTheLimit() throws Exception {
        long over = 64L * 1024 * 1024 * 1024 + 1;
        HttpResponse<String> start = http.start(project, "a".repeat(64), over);
        assertThat(start.statusCode()).isEqualTo(413);
        assertThat(ArtifactHttp.code(start)).isEqualTo("LIMIT_EXCEEDED");
        errorCode(log("huge", List.of(Map.of("path", "x", "size", over, "sha256", "a".repeat(64))), Map.of()),
                "LIMIT_EXCEEDED");
    }

    @Test
    void shouldAnswerMissingBlobsAndWriteNothing() throws Exception {
        byte[] stored = bytes(10, 70);
        byte[] absent = bytes(10, 71);
        http.upload(project, stored);
        GraphQlTester.Response response = log("partial", List.of(file("a", stored), file("b", absent)),
                Map.of("aliases", List.of("best")));
        response.path("logArtifact.version").valueIsNull();
        response.path("logArtifact.missingBlobs").entityList(String.class)
                .containsExactly(ArtifactHttp.sha256(absent));
        assertThat(graphQl.document("query($p: String!) { artifact(project: $p, name: \"partial\") { id } }")
                .variable("p", project).execute().path("artifact").valueIsNull());
    }

    @Test
    void shouldCollectOnlyBlobsNoOtherVersionHolds() throws Exception {
        byte[] kept = bytes(100, 80);
        byte[] only = bytes(100, 81);
        logUploaded("gc", Map.of("kept", kept), Map.of());
        logUploaded("gc", Map.of("kept", kept, "only", only), Map.of());
        graphQl.document("mutation($p: String!) { deleteArtifactVersion(project: $p, name: \"gc\", version: 2) }")
                .variable("p", project).execute().path("deleteArtifactVersion").entity(Boolean.class).isEqualTo(true);
        // At once, without waiting for the upload timeout: the blob only version 2 held is gone.
        assertThat(Files.exists(blobFile(ArtifactHttp.sha256(only)))).isFalse();
        assertThat(jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class,
                ArtifactHttp.sha256(only))).isZero();
        assertThat(Files.readAllBytes(blobFile(ArtifactHttp.sha256(kept)))).isEqualTo(kept);
    }

    @Test
    void shouldNeverCollectABlobACommitReferences() throws Exception {
        // A blob uploaded for a commit still to come is young: a collection spares it.
        byte[] young = bytes(100, 90);
        String youngSha = http.upload(project, young);
        collector.collect();
        assertThat(Files.exists(blobFile(youngSha))).isTrue();

        // An old unreferenced blob that a commit has locked (as logArtifact does, FOR SHARE) is passed over, and
        // once that commit is in, it is referenced and stays.
        byte[] old = bytes(100, 91);
        String oldSha = http.upload(project, old);
        jdbc.update("update blob set claimed_at = now() - interval '2 days' where sha256 = ?", oldSha);
        try (Connection commit = dataSource.getConnection()) {
            commit.setAutoCommit(false);
            try (var lock = commit.prepareStatement("select sha256 from blob where sha256 = ? for share")) {
                lock.setString(1, oldSha);
                assertThat(lock.executeQuery().next()).isTrue();
            }
            assertThat(collector.collect().blobs()).isZero();
            assertThat(Files.exists(blobFile(oldSha))).isTrue();
            log("held", List.of(file("old", old), file("young", young)), Map.of())
                    .path("logArtifact.created").entity(Boolean.class).isEqualTo(true);
            commit.commit();
        }
        jdbc.update("update blob set claimed_at = now() - interval '2 days' where sha256 in (?, ?)", oldSha, youngSha);
        collector.collect();
        assertThat(Files.exists(blobFile(oldSha))).isTrue();
        assertThat(Files.exists(blobFile(youngSha))).isTrue();

        // Unreferenced and old, with no commit: collected.
        byte[] lone = bytes(100, 92);
        String loneSha = http.upload(project, lone);
        jdbc.update("update blob set claimed_at = now() - interval '2 days' where sha256 = ?", loneSha);
        assertThat(collector.collect().blobs()).isGreaterThanOrEqualTo(1);
        assertThat(Files.exists(blobFile(loneSha))).isFalse();
    }

    @Test
    void shouldKeepTheBlobsOfMediaItemsUntilTheirRunIsDeleted() throws Exception {
        String run = createRun();
        byte[] picture = MediaFixtures.png(80, 4, 11);
        byte[] cell = MediaFixtures.png(2, 2, 12);
        Map<String, Object> table = MediaFixtures.item("preds", 0, "table", Map.of("columns",
                List.of(Map.of("name", "input", "type", "IMAGE")), "rows", List.of(List.of(MediaFixtures.base64(cell)))));
        graphQl.document(MediaFixtures.LOG).variable("runId", run).variable("items",
                List.of(MediaFixtures.image("samples", 0, picture), table)).execute()
                .path("logMedia.stored").entity(Integer.class).isEqualTo(2);
        String sha = ArtifactHttp.sha256(picture);
        String cellSha = ArtifactHttp.sha256(cell);
        jdbc.update("update blob set claimed_at = now() - interval '2 days' where sha256 in (?, ?)", sha, cellSha);

        collector.collect();
        assertThat(Files.readAllBytes(blobFile(sha))).isEqualTo(picture);
        assertThat(Files.readAllBytes(blobFile(cellSha))).isEqualTo(cell);
        String url = graphQl.document(MediaFixtures.AT).variable("runIds", List.of(run)).variable("name", "samples")
                .variable("step", 0).execute().path("mediaAt[0].image.url").entity(String.class).get();
        HttpResponse<byte[]> download = ArtifactHttp.HTTP.send(http.request(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(picture);
        assertThat(ArtifactHttp.HTTP.send(http.request(url + "&w=64").build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(200);
        Path rendition = directory.renditions().resolve(sha.substring(0, 2)).resolve(sha + "-64");
        assertThat(rendition).isNotEmptyFile();

        graphQl.documentName("deleteRuns").variable("ids", List.of(run)).execute();
        assertThat(collector.collect().blobs()).isGreaterThanOrEqualTo(2);
        assertThat(blobFile(sha)).doesNotExist();
        assertThat(rendition).doesNotExist();
        assertThat(blobFile(cellSha)).doesNotExist();
    }

    @Test
    void shouldRemoveStaleUploadsAndOrphanFiles() throws Exception {
        byte[] data = bytes(100, 100);
        String id = (String) ArtifactHttp.json(http.start(project, ArtifactHttp.sha256(data), 100)).get("id");
        assertThat(http.patch(id, 0, java.util.Arrays.copyOf(data, 50)).statusCode()).isEqualTo(204);
        Path partial = directory.uploads().resolve(id);
        assertThat(partial).exists();
        Path orphan = Files.write(directory.uploads().resolve("00000000-0000-0000-0000-000000000000"), data);

        collector.collect();
        assertThat(partial).exists();
        assertThat(orphan).doesNotExist();

        jdbc.update("update upload set updated_at = now() - interval '25 hours' where id = ?::uuid", id);
        assertThat(collector.collect().uploads()).isGreaterThanOrEqualTo(1);
        assertThat(partial).doesNotExist();
        HttpResponse<String> gone = http.send(http.request("/api/v1/uploads/" + id).method("HEAD",
                HttpRequest.BodyPublishers.noBody()));
        assertThat(gone.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldDeleteARunsVersionsAndTheirBlobs() throws Exception {
        String run = createRun();
        byte[] data = bytes(100, 110);
        logUploaded("of-run", Map.of("w", data), Map.of("runId", run));
        graphQl.document("mutation($ids: [ID!]!) { deleteRuns(ids: $ids) }").variable("ids", List.of(run)).execute();
        assertThat(graphQl.document("query($p: String!) { artifact(project: $p, name: \"of-run\") { id } }")
                .variable("p", project).execute().path("artifact").valueIsNull());
        assertThat(Files.exists(blobFile(ArtifactHttp.sha256(data)))).isFalse();
    }

    @Test
    void shouldAnswerStorageFullAndRemoveThePartialBytes() throws Exception {
        // /dev/full fails every write with ENOSPC, as a full disk does: the partial file is made a link to it. More
        // buffers than UploadWriter keeps in flight: the failure surfaces while later ones wait behind it.
        byte[] data = bytes((UploadWriter.BUFFERS + 2) << 20, 120);
        String id = (String) ArtifactHttp.json(http.start(project, ArtifactHttp.sha256(data), data.length)).get("id");
        Path partial = directory.uploads().resolve(id);
        Files.createSymbolicLink(partial, Path.of("/dev/full"));
        HttpResponse<String> full = http.patch(id, 0, data);
        assertThat(full.statusCode()).isEqualTo(507);
        assertThat(ArtifactHttp.code(full)).isEqualTo("STORAGE_FULL");
        assertThat(Files.exists(partial, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(jdbc.queryForObject("select count(*) from upload where id = ?::uuid", Integer.class, id)).isZero();
    }
}
