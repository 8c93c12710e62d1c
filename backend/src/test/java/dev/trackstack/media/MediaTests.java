package dev.trackstack.media;

import static dev.trackstack.media.MediaFixtures.AT;
import static dev.trackstack.media.MediaFixtures.LOG;
import static dev.trackstack.media.MediaFixtures.base64;
import static dev.trackstack.media.MediaFixtures.image;
import static dev.trackstack.media.MediaFixtures.item;
import static dev.trackstack.media.MediaFixtures.png;
import static dev.trackstack.media.MediaFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.artifact.ArtifactHttp;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

/** logMedia and the media queries over GraphQL against the test server, images read back over HTTP. */
class MediaTests extends ApiTest {

    GraphQlTester.Response log(String runId, List<Map<String, Object>> items, String batchId) {
        return graphQl.document(LOG).variable("runId", runId).variable("items", items).variable("batchId", batchId)
                .execute();
    }

    Map<?, ?> logged(String runId, List<Map<String, Object>> items) {
        return log(runId, items, null).path("logMedia").entity(Map.class).get();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> at(List<String> runIds, String name, long step, Boolean exact) {
        return graphQl.document(AT).variable("runIds", runIds).variable("name", name).variable("step", step)
                .variable("exact", exact).execute().path("mediaAt").entity(List.class).get();
    }

    byte[] download(String url) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + url))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStoreEachKindAndReadItBackExactly() throws Exception {
        String run = createRun();
        byte[] picture = png(7, 5, 1);
        byte[] cell = MediaFixtures.jpeg(16, 8, 2);
        Map<String, Object> overlays = Map.of("boxes", List.of(Map.of("x", 0.1, "y", 0.2, "width", 0.3,
                "height", 0.2, "label", "cat", "score", 0.9)));
        Map<String, Object> captioned = item("samples", 3, "image", Map.of("data", base64(picture),
                "overlays", overlays));
        captioned.put("caption", "a cat");
        Map<String, Object> table = Map.of("columns", List.of(Map.of("name", "id", "type", "NUMBER"),
                Map.of("name", "label", "type", "TEXT"), Map.of("name", "input", "type", "IMAGE")),
                "rows", Arrays.asList(List.of(1, "cat", base64(cell)), Arrays.asList("NaN", null, null)));
        Map<?, ?> answer = logged(run, List.of(captioned,
                item("weights", 3, "histogram", Map.of("values", List.of(0, 1, 1, 2, 4), "bins", 4)),
                item("given", 3, "histogram", Map.of("edges", List.of(-1, 0, 0.5), "counts", List.of(3, 0))),
                item("preds", 3, "table", table),
                item("notes", 3, "text", Map.of("content", "# Hello\n*there*", "format", "MARKDOWN")),
                image("webp", 3, MediaFixtures.webp(300, 200))));
        assertThat(answer.get("errors")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).isEmpty();
        assertThat(answer.get("stored")).isEqualTo(6);

        Map<String, Object> image = at(List.of(run), "samples", 3, true).get(0);
        assertThat(image).containsEntry("runId", run).containsEntry("step", 3).containsEntry("index", 0)
                .containsEntry("kind", "IMAGE").containsEntry("caption", "a cat");
        Map<String, Object> stored = (Map<String, Object>) image.get("image");
        assertThat(stored).containsEntry("format", "PNG").containsEntry("width", 7).containsEntry("height", 5)
                .containsEntry("bytes", picture.length).containsEntry("sha256", ArtifactHttp.sha256(picture))
                .containsEntry("overlays", overlays);
        assertThat(download((String) stored.get("url"))).isEqualTo(picture);

        Map<String, Object> weights = (Map<String, Object>) at(List.of(run), "weights", 3, true).get(0)
                .get("histogram");
        assertThat(weights).containsEntry("edges", List.of(0.0, 1.0, 2.0, 3.0, 4.0))
                .containsEntry("counts", List.of(1.0, 2.0, 1.0, 1.0));
        assertThat(at(List.of(run), "given", 3, true).get(0).get("histogram"))
                .isEqualTo(Map.of("edges", List.of(-1.0, 0.0, 0.5), "counts", List.of(3.0, 0.0)));

        Map<String, Object> preds = (Map<String, Object>) at(List.of(run), "preds", 3, true).get(0).get("table");
        assertThat(preds.get("columns")).isEqualTo(table.get("columns"));
        List<List<Object>> rows = (List<List<Object>>) preds.get("rows");
        assertThat(rows.get(0).subList(0, 2)).containsExactly(1, "cat");
        Map<String, Object> cellImage = (Map<String, Object>) rows.get(0).get(2);
        assertThat(cellImage).containsEntry("width", 16).containsEntry("height", 8)
                .containsEntry("sha256", ArtifactHttp.sha256(cell));
        assertThat(download((String) cellImage.get("url"))).isEqualTo(cell);
        assertThat(rows.get(1)).containsExactly("NaN", null, null);

        assertThat(at(List.of(run), "notes", 3, true).get(0).get("text"))
                .isEqualTo(Map.of("format", "MARKDOWN", "content", "# Hello\n*there*"));
        assertThat(at(List.of(run), "webp", 3, true).get(0).get("image")).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("format", "WEBP")
                .containsEntry("width", 300).containsEntry("height", 200);

        // The same image twice is one blob.
        logged(run, List.of(image("samples", 4, picture)));
        assertThat(jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class,
                ArtifactHttp.sha256(picture))).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from media_blob where sha256 = ?", Integer.class,
                ArtifactHttp.sha256(picture))).isEqualTo(2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldAnswerEachBadItemAndStoreTheRest() {
        String run = createRun();
        byte[] corrupt = png(4, 4, 3);
        corrupt[corrupt.length - 20] ^= 0x55;  // in the IDAT chunk: its CRC fails
        byte[] truncated = Arrays.copyOf(MediaFixtures.jpeg(8, 8, 4), 100);
        Map<String, Object> twoKinds = text("two", 0, "x");
        twoKinds.put("histogram", Map.of("values", List.of(1)));
        Map<String, Object> none = new java.util.HashMap<>(Map.of("name", "none", "step", 0));
        List<Map<String, Object>> items = List.of(
                image("ok", 0, png(2, 2, 5)),
                image("corrupt", 0, corrupt),
                image("wide", 0, MediaFixtures.pngHeaderOnly(9000, 10)),
                image("unknown", 0, "just some text".getBytes()),
                item("table", 0, "table", Map.of("columns", List.of(Map.of("name", "a", "type", "NUMBER")),
                        "rows", List.of(List.of(1), List.of(1, 2)))),
                item("table", 0, "table", Map.of("columns", List.of(Map.of("name", "a", "type", "NUMBER")),
                        "rows", List.of(List.of("one")))),
                item("hist", 0, "histogram", Map.of("values", List.of(1, "NaN"))),
                none,
                twoKinds,
                item("ok", 1, "text", Map.of("content", "an image series holds images only")),
                image("truncated", 0, truncated),
                item("notbase64", 0, "image", Map.of("data", "%%%")),
                text("ok-text", 0, "stored"));
        Map<?, ?> answer = logged(run, items);
        assertThat(answer.get("stored")).isEqualTo(2);
        List<Map<String, Object>> errors = (List<Map<String, Object>>) answer.get("errors");
        assertThat(errors).extracting(e -> e.get("index")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(errors).extracting(e -> e.get("code")).containsExactly("BAD_USER_INPUT", "LIMIT_EXCEEDED",
                "BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT",
                "BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT", "BAD_USER_INPUT");
        assertThat(errors.get(0).get("message")).asString().contains("corrupt PNG");
        assertThat(errors.get(1).get("message")).asString().contains("9000 × 10");
        assertThat(errors.get(2).get("message")).asString().contains("not a PNG, JPEG or WebP");
        assertThat(errors.get(3).get("message")).asString().contains("rows[1]");
        assertThat(errors.get(4).get("message")).asString().contains("rows[0][0] is not a NUMBER cell");
        assertThat(errors.get(5).get("message")).asString().contains("values[1] is NaN");
        assertThat(errors.get(6).get("message")).asString().contains("exactly one");
        assertThat(errors.get(7).get("message")).asString().contains("exactly one");
        assertThat(errors.get(8).get("message")).asString().contains("holds IMAGE items");
        assertThat(errors.get(9).get("message")).asString().contains("corrupt JPEG");
        assertThat(errors.get(10).get("message")).asString().contains("not base64");
        assertThat(jdbc.queryForList("select name from media_item where run_id = ? order by name", String.class,
                Long.parseLong(run))).containsExactly("ok", "ok-text");
    }

    @Test
    void shouldAnswerARepeatedBatchIdAsTheFirstTime() {
        String run = createRun();
        List<Map<String, Object>> items = List.of(text("log", 0, "a"), image("bad", 0, new byte[] {1, 2, 3}),
                text("log", 0, "b"));
        Map<?, ?> first = log(run, items, "batch-1").path("logMedia").entity(Map.class).get();
        assertThat(first.get("stored")).isEqualTo(2);
        Map<?, ?> again = log(run, items, "batch-1").path("logMedia").entity(Map.class).get();
        assertThat(again.get("stored")).isEqualTo(0);
        assertThat(again.get("errors")).isEqualTo(first.get("errors"));
        assertThat(jdbc.queryForObject("select count(*) from media_item where run_id = ?", Integer.class,
                Long.parseLong(run))).isEqualTo(2);
        // The same batch id in another run, or the same items without one, are stored.
        assertThat(log(createRun(), items, "batch-1").path("logMedia.stored").entity(Integer.class).get()).isEqualTo(2);
        assertThat(log(run, items, null).path("logMedia.stored").entity(Integer.class).get()).isEqualTo(2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepItsLimits() {
        String run = createRun();
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            tooMany.add(text("many", i, "x"));
        }
        assertThat(errorCode(log(run, tooMany, null), "LIMIT_EXCEEDED")).contains("257 items");
        assertThat(jdbc.queryForObject("select count(*) from media_item where run_id = ?", Integer.class,
                Long.parseLong(run))).isZero();

        List<Map<String, Object>> oneStep = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            oneStep.add(text("step", 7, "item " + i));
        }
        Map<?, ?> answer = logged(run, oneStep);
        assertThat(answer.get("stored")).isEqualTo(64);
        assertThat((List<Map<String, Object>>) answer.get("errors")).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("index", 64).containsEntry("code", "LIMIT_EXCEEDED"));
        assertThat(at(List.of(run), "step", 7, true)).hasSize(16).extracting(i -> (Object) ((Map<?, ?>) i.get("text"))
                .get("content")).startsWith("item 0", "item 1");

        Map<String, Object> captioned = text("caption", 0, "x");
        captioned.put("caption", "c".repeat(1025));
        Map<String, Object> bigImage = item("big", 0, "image", Map.of("data", "A".repeat(8 * 1024 * 1024 / 3 * 4 + 8)));
        answer = logged(run, List.of(captioned,
                item("bins", 0, "histogram", Map.of("values", List.of(1), "bins", 1025)),
                text("long", 0, "x".repeat(1_048_577)), bigImage,
                item("name".repeat(65), 0, "text", Map.of("content", "x"))));
        assertThat(answer.get("stored")).isEqualTo(0);
        assertThat((List<Map<String, Object>>) answer.get("errors")).extracting(e -> e.get("code"))
                .containsOnly("LIMIT_EXCEEDED").hasSize(5);

        assertThat(errorCode(log(String.valueOf(Long.MAX_VALUE), List.of(text("x", 0, "x")), null), "NOT_FOUND"))
                .contains("run");
    }

    @Test
    void shouldAnswerEachRunsStepAtOrBefore() {
        String a = createRun();
        String b = createRun();
        String c = createRun();
        String empty = createRun();
        for (long step : new long[] {0, 10, 20}) {
            logged(a, List.of(text("t", step, "a" + step)));
        }
        logged(b, List.of(text("t", 5, "b5"), text("t", 15, "b15"), text("t", 15, "b15 second")));
        logged(c, List.of(text("t", 30, "c30")));

        assertThat(at(List.of(c, a, empty, b), "t", 12, null)).extracting(i -> i.get("runId") + "@" + i.get("step")
                + "#" + i.get("index")).containsExactly(c + "@30#0", a + "@10#0", b + "@5#0");
        assertThat(at(List.of(a, b), "t", 15, false)).extracting(i -> (Object) ((Map<?, ?>) i.get("text"))
                .get("content")).containsExactly("a10", "b15", "b15 second");
        assertThat(at(List.of(a, b, c), "t", 10, true)).extracting(i -> i.get("runId")).containsExactly(a);
        assertThat(at(List.of(a, b, c), "t", 11, true)).isEmpty();
        assertThat(graphQl.document(AT).variable("runIds", List.of(b)).variable("name", "t").variable("step", 15)
                .variable("first", 1).execute().path("mediaAt").entityList(Map.class).get()).hasSize(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldAnswerSeveralStepsAtOnceAsMediaAtAnswersEach() {
        String a = createRun();
        String b = createRun();
        for (long step : new long[] {0, 10, 20}) {
            logged(a, List.of(text("t", step, "a" + step)));
        }
        logged(b, List.of(text("t", 5, "b5"), text("t", 15, "b15")));
        String query = """
                query($runIds: [ID!]!, $steps: [Long!]!, $exact: Boolean) {
                  mediaAtSteps(runIds: $runIds, name: "t", steps: $steps, exact: $exact) {
                    step items { runId step index text { content } } } }""";
        List<Long> steps = List.of(15L, 0L, 12L, 15L, 99L);
        for (Boolean exact : new Boolean[] {null, true}) {
            List<Map<String, Object>> answered = graphQl.document(query).variable("runIds", List.of(b, a))
                    .variable("steps", steps).variable("exact", exact).execute().path("mediaAtSteps")
                    .entity(List.class).get();
            // each step once, in the order asked, its items those of mediaAt at it
            assertThat(answered).extracting(at -> ((Number) at.get("step")).longValue())
                    .containsExactly(15L, 0L, 12L, 99L);
            for (Map<String, Object> at : answered) {
                List<Map<String, Object>> one = at(List.of(b, a), "t", ((Number) at.get("step")).longValue(), exact);
                assertThat((List<Map<String, Object>>) at.get("items")).extracting(i -> i.get("runId") + "@"
                        + i.get("step") + ":" + ((Map<?, ?>) i.get("text")).get("content"))
                        .containsExactlyElementsOf(one.stream().map(i -> i.get("runId") + "@" + i.get("step") + ":"
                                + ((Map<?, ?>) i.get("text")).get("content")).toList());
            }
            assertThat((List<?>) answered.get(2).get("items")).hasSize(exact == null ? 2 : 0);
        }
        List<Long> tooMany = java.util.stream.LongStream.range(0, 65).boxed().toList();
        assertThat(errorCode(graphQl.document(query).variable("runIds", List.of(a)).variable("steps", tooMany)
                .execute(), "LIMIT_EXCEEDED")).contains("65 steps");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDownsampleHistogramsEvenlyKeepingFirstAndLast() {
        String run = createRun();
        List<Map<String, Object>> items = new ArrayList<>();
        for (int step = 0; step < 10; step++) {
            items.add(item("w", step * 100L, "histogram", Map.of("values", List.of(step, step + 1), "bins", 2)));
        }
        logged(run, items);
        String query = "query($r: ID!, $max: Int) { histograms(runId: $r, name: \"w\", maxSteps: $max) { step edges counts } }";
        List<Map<String, Object>> four = graphQl.document(query).variable("r", run).variable("max", 4).execute()
                .path("histograms").entityList(Map.class).get().stream().map(m -> (Map<String, Object>) m).toList();
        assertThat(four).extracting(h -> h.get("step")).containsExactly(0, 300, 600, 900);
        assertThat(four.get(3)).containsEntry("edges", List.of(9.0, 9.5, 10.0)).containsEntry("counts",
                List.of(1.0, 1.0));
        assertThat(graphQl.document(query).variable("r", run).execute().path("histograms").entityList(Map.class)
                .get()).hasSize(10);
        assertThat(graphQl.document(query).variable("r", run).variable("max", 1).execute().path("histograms")
                .entityList(Map.class).get()).hasSize(1);
        errorCode(graphQl.document(query).variable("r", run).variable("max", 0).execute(), "LIMIT_EXCEEDED");
    }

    @Test
    void shouldListARunsMediaSeries() {
        String run = createRun();
        logged(run, List.of(text("z-notes", 2, "x"), image("a-samples", 5, png(1, 1, 1)), image("a-samples", 1,
                png(1, 1, 2)), image("a-samples", 5, png(1, 1, 3))));
        assertThat(graphQl.document("query($id: ID!) { run(id: $id) { media { name kind stepCount firstStep "
                + "lastStep steps } } }").variable("id", run).execute().path("run.media").entityList(Map.class).get())
                .containsExactly(Map.of("name", "a-samples", "kind", "IMAGE", "stepCount", 2, "firstStep", 1,
                        "lastStep", 5, "steps", List.of(1, 5)), Map.of("name", "z-notes", "kind", "TEXT",
                        "stepCount", 1, "firstStep", 2, "lastStep", 2, "steps", List.of(2)));
    }

    @Test
    void shouldForgetItemsAfterTheStepARunIsRewoundTo() {
        String run = createRun();
        logged(run, List.of(text("t", 1, "one"), text("t", 2, "two"), text("t", 3, "three")));
        graphQl.document("mutation($r: ID!) { rewindRun(runId: $r, toStep: 1) }").variable("r", run).execute()
                .path("rewindRun").hasValue();
        logged(run, List.of(text("t", 2, "two again")));
        assertThat(at(List.of(run), "t", 2, true)).extracting(i -> (Object) ((Map<?, ?>) i.get("text"))
                .get("content")).containsExactly("two again");
        assertThat(at(List.of(run), "t", 3, true)).isEmpty();
    }
}
