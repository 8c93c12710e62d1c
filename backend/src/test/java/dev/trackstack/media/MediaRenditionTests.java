package dev.trackstack.media;

import static dev.trackstack.media.MediaFixtures.AT;
import static dev.trackstack.media.MediaFixtures.LOG;
import static dev.trackstack.media.MediaFixtures.image;
import static dev.trackstack.media.MediaFixtures.jpeg;
import static dev.trackstack.media.MediaFixtures.png;
import static dev.trackstack.media.MediaFixtures.webp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.LongStream;

import javax.imageio.ImageIO;

import dev.trackstack.ApiTest;
import dev.trackstack.GraphQlAssertions;
import dev.trackstack.artifact.ArtifactDirectory;
import dev.trackstack.artifact.ArtifactHttp;
import dev.trackstack.artifact.ImageRenditions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Images scaled down by a blob link's {@code w}: their size, their cache, what is served as it is, bad widths; those the
 * panels ask for made when the image is logged; and answered as previews with the items.
 */
class MediaRenditionTests extends ApiTest {

    private static final String PREVIEWS = """
            query($runIds: [ID!]!, $steps: [Long!]!, $width: Int!) {
              mediaAtSteps(runIds: $runIds, name: "samples", steps: $steps, first: 64) {
                items { image { url preview(width: $width) } } } }""";

    @Autowired
    private ArtifactDirectory directory;

    /** The items' image links at step 0, in the order logged (one run per picture). */
    private List<String> urls(byte[]... pictures) {
        return java.util.Arrays.stream(pictures).map(picture -> {
            String run = createRun();
            graphQl.document(LOG).variable("runId", run).variable("items", List.of(image("samples", 0, picture)))
                    .execute().path("logMedia.stored").entity(Integer.class).isEqualTo(1);
            return graphQl.document(AT).variable("runIds", List.of(run)).variable("name", "samples")
                    .variable("step", 0).execute().path("mediaAt[0].image.url").entity(String.class).get();
        }).toList();
    }

    private Path rendition(String sha, int width) {
        return directory.renditions().resolve(sha.substring(0, 2)).resolve(sha + "-" + width);
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static BufferedImage decoded(HttpResponse<byte[]> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertThat(image).as("decodes").isNotNull();
        return image;
    }

    @Test
    void shouldScaleDownToTheWidthAskedAsJpegUnlessTransparent() throws Exception {
        byte[] transparent = png(300, 200, 1);
        byte[] opaque = MediaFixtures.opaquePng(300, 200, 7);
        byte[] photo = jpeg(300, 150, 2);
        List<String> urls = urls(transparent, opaque, photo);

        HttpResponse<byte[]> small = get(urls.get(0) + "&w=128");
        BufferedImage scaled = decoded(small);
        assertThat(scaled.getWidth()).isEqualTo(128);
        assertThat(scaled.getHeight()).isEqualTo(85);
        assertThat(scaled.getColorModel().hasAlpha()).isTrue();
        assertThat(small.body().length).isLessThan(transparent.length / 4);
        assertThat(small.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(small.headers().firstValue("ETag")).hasValue("\"" + ArtifactHttp.sha256(transparent) + "-128\"");
        assertThat(small.headers().firstValue("Cache-Control")).hasValueSatisfying(
                value -> assertThat(value).contains("immutable"));
        assertThat(decoded(get(urls.get(0) + "&w=256")).getWidth()).isEqualTo(256);

        HttpResponse<byte[]> flat = get(urls.get(1) + "&w=192");
        assertThat(flat.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(decoded(flat).getWidth()).isEqualTo(192);
        assertThat(decoded(flat).getHeight()).isEqualTo(128);
        assertThat(decoded(flat).getColorModel().hasAlpha()).isFalse();

        HttpResponse<byte[]> thumbnail = get(urls.get(2) + "&w=64");
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        BufferedImage jpegScaled = decoded(thumbnail);
        assertThat(jpegScaled.getWidth()).isEqualTo(64);
        assertThat(jpegScaled.getHeight()).isEqualTo(32);

        // A browser's copy is revalidated by the rendition's own tag.
        HttpResponse<byte[]> unchanged = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + urls.get(0) + "&w=128")).header("If-None-Match", small.headers().firstValue("ETag").get()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(unchanged.statusCode()).isEqualTo(304);
    }

    @Test
    void shouldMakeARenditionOnceAndThenReadItFromItsFile() throws Exception {
        byte[] picture = png(200, 200, 3);
        String url = urls(picture).get(0) + "&w=96";
        String sha = ArtifactHttp.sha256(picture);
        assertThat(decoded(get(url)).getWidth()).isEqualTo(96);
        Path file = rendition(sha, 96);
        assertThat(file).isNotEmptyFile();

        // Bytes put in its place are what the second request answers: it read the file, it did not scale again.
        byte[] planted = png(96, 96, 4);
        Files.write(file, planted);
        assertThat(get(url).body()).isEqualTo(planted);
    }

    @Test
    void shouldMakeThePanelsRenditionsWhenAnImageIsLoggedWithoutARequest() throws Exception {
        byte[] picture = MediaFixtures.opaquePng(600, 300, 8);
        urls(picture);
        String sha = ArtifactHttp.sha256(picture);
        for (int width : List.of(160, 192, 256, 384, 512)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rendition(sha, width)).isNotEmptyFile());
            BufferedImage made = ImageIO.read(rendition(sha, width).toFile());
            assertThat(made.getWidth()).as("%d", width).isEqualTo(width);
            assertThat(made.getHeight()).as("%d", width).isEqualTo(width / 2);
        }
        // none wider than the image, none the panels' cells do not ask for
        assertThat(rendition(sha, 768)).doesNotExist();
        assertThat(rendition(sha, 96)).doesNotExist();
    }

    @Test
    void shouldMakeNoRenditionOfALoggedImageThatDoesNotDecodeAndStillServeIt() throws Exception {
        byte[] broken = MediaFixtures.pngHeaderOnly(300, 200);
        byte[] good = png(300, 200, 9);
        List<String> urls = urls(broken, good);
        String brokenSha = ArtifactHttp.sha256(broken);
        String goodSha = ArtifactHttp.sha256(good);
        // logged after the broken one: once its renditions are made, the broken one's turn has passed
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rendition(goodSha, 256)).isNotEmptyFile());
        for (int width : ImageRenditions.PREPARED_WIDTHS) {
            assertThat(rendition(brokenSha, width)).as("%d", width).doesNotExist();
        }
        assertThat(get(urls.get(0) + "&w=192").body()).isEqualTo(broken);
        assertThat(decoded(get(urls.get(1) + "&w=192")).getWidth()).isEqualTo(192);
    }

    @Test
    void shouldServeWebpAndImagesNoWiderThanAskedAsTheyAre() throws Exception {
        byte[] lossless = webp(300, 200);
        byte[] narrow = png(100, 300, 5);
        List<String> urls = urls(lossless, narrow);

        HttpResponse<byte[]> original = get(urls.get(0) + "&w=128");
        assertThat(original.statusCode()).isEqualTo(200);
        assertThat(original.body()).isEqualTo(lossless);
        assertThat(original.headers().firstValue("Content-Type")).hasValue("image/webp");
        assertThat(original.headers().firstValue("ETag")).hasValue("\"" + ArtifactHttp.sha256(lossless) + "\"");

        // Never larger than the original: 128 of a 100-pixel-wide image is the image.
        assertThat(get(urls.get(1) + "&w=128").body()).isEqualTo(narrow);
        assertThat(decoded(get(urls.get(1) + "&w=64")).getHeight()).isEqualTo(192);
    }

    /** The previews of a run's images at steps 0.. (each step's items in order), null where none was answered. */
    private List<String> previews(String run, int steps, int width) {
        return graphQl.document(PREVIEWS).variable("runIds", List.of(run))
                .variable("steps", LongStream.range(0, steps).boxed().toList())
                .variable("width", width).execute().path("mediaAtSteps[*].items[*].image.preview")
                .entityList(String.class).get();
    }

    private static byte[] dataUrl(String url, String type) {
        assertThat(url).startsWith("data:" + type + ";base64,");
        return Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
    }

    @Test
    void shouldAnswerImagesAsPreviewsAtTheCellsWidthWhereTheyAreReadyAndSmall() throws Exception {
        byte[] picture = MediaFixtures.opaquePng(600, 300, 10);
        String sha = ArtifactHttp.sha256(picture);
        String run = createRun();
        graphQl.document(LOG).variable("runId", run).variable("items", List.of(image("samples", 0, picture)))
                .execute().path("logMedia.stored").entity(Integer.class).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rendition(sha, 512)).isNotEmptyFile());

        // 90 device pixels load the 96 rendition, not made yet: no preview (its link makes it); then it is
        assertThat(previews(run, 1, 90)).containsExactly((String) null);
        String url = graphQl.document(AT).variable("runIds", List.of(run)).variable("name", "samples")
                .variable("step", 0).execute().path("mediaAt[0].image.url").entity(String.class).get();
        byte[] served = get(url + "&w=96").body();
        assertThat(dataUrl(previews(run, 1, 90).get(0), "image/jpeg")).isEqualTo(served);
        // 500 load the 512 rendition: made, but too large
        assertThat(Files.size(rendition(sha, 512))).isGreaterThan(MediaController.PREVIEW_MAX_BYTES);
        assertThat(previews(run, 1, 500)).containsExactly((String) null);

        // An image no wider than the cell is its own preview, in its own format
        byte[] narrow = png(40, 30, 11);
        String other = createRun();
        graphQl.document(LOG).variable("runId", other).variable("items", List.of(image("samples", 0, narrow)))
                .execute().path("logMedia.stored").entity(Integer.class).isEqualTo(1);
        assertThat(dataUrl(previews(other, 1, 190).get(0), "image/png")).isEqualTo(narrow);

        assertThat(GraphQlAssertions.errorCode(graphQl.document(PREVIEWS).variable("runIds", List.of(other))
                .variable("steps", List.of(0)).variable("width", 0).execute(), "BAD_USER_INPUT"))
                .contains("width must be at least 1");
    }

    @Test
    void shouldStopAnsweringPreviewsOnceAnAnswersTotalFourMebibytes() {
        byte[] picture = png(60, 60, 12);
        assertThat(picture.length).isBetween(10_000, MediaController.PREVIEW_MAX_BYTES);
        String run = createRun();
        // 5 steps of 64 items (the most a step holds), each item this image
        for (int call = 0; call < 2; call++) {
            List<Object> items = new ArrayList<>();
            for (int i = call * 160; i < (call + 1) * 160; i++) {
                items.add(image("samples", i / 64, picture));
            }
            graphQl.document(LOG).variable("runId", run).variable("items", items).execute()
                    .path("logMedia.stored").entity(Integer.class).isEqualTo(160);
        }
        List<String> previews = previews(run, 5, 190);
        assertThat(previews).hasSize(320);
        List<String> answered = previews.stream().filter(Objects::nonNull).toList();
        assertThat(answered).hasSize((int) (MediaController.PREVIEW_BYTES_PER_ANSWER / picture.length));
        assertThat(dataUrl(answered.get(0), "image/png")).isEqualTo(picture);
    }

    @Test
    void shouldRefuseWidthsThatAreNotRenditionWidths() throws Exception {
        String url = urls(png(300, 200, 6)).get(0);
        for (String width : List.of("100", "0", "-64", "100000", "abc")) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + url + "&w=" + width)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(width).isEqualTo(400);
            assertThat(ArtifactHttp.code(refused)).as(width).isEqualTo("BAD_USER_INPUT");
        }
        HttpResponse<String> listed = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + url
                + "&w=100")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listed.body()).contains("w = 100 is not a rendition width: one of 64, 96, 128, 160, 192, 256, 384, "
                + "512, 768, 1024");
    }
}
