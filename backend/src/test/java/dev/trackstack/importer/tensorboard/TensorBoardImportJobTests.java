package dev.trackstack.importer.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;

import dev.trackstack.ApiTest;
import dev.trackstack.artifact.ArtifactHttp;
import dev.trackstack.importer.tensorboard.proto.DataType;
import dev.trackstack.importer.tensorboard.proto.Event;
import dev.trackstack.importer.tensorboard.proto.HistogramProto;
import dev.trackstack.importer.tensorboard.proto.Summary;
import dev.trackstack.importer.tensorboard.proto.SummaryMetadata;
import dev.trackstack.importer.tensorboard.proto.TensorProto;
import dev.trackstack.media.MediaFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.graphql.test.tester.GraphQlTester;

/**
 * A TensorBoard import through importRuns: points logMetrics would refuse (a negative step, a tag over the name
 * limit) and media logMedia would refuse are left out and counted in unmapped, and the rest of the run is stored.
 */
class TensorBoardImportJobTests extends ApiTest {

    private static final double T0 = 1_767_225_600;

    @TempDir
    Path logDir;

    @Test
    void shouldLeaveOutPointsLogMetricsRefusesAndSaySo() throws IOException {
        new TfRecordWriter().write(scalar(T0, 0, "loss", 1f)).write(scalar(T0 + 1, -1, "loss", 2f))
                .write(scalar(T0 + 2, -2, "loss", 3f)).write(scalar(T0 + 3, 1, "x".repeat(300), 4f))
                .write(scalar(T0 + 4, 2, "loss", 0.5f))
                .writeTo(logDir.resolve("seed1/events.out.tfevents.1767225600.host"));
        var job = importAndWait();
        job.path("importJob.pointsStored").entity(Long.class).isEqualTo(2L);
        job.path("importJob.unmapped").entityList(String.class).isEqualTo(List.of(
                "run seed1: 1 points left out (name must be 1 to 256 characters)",
                "run seed1: 2 points left out (step must be >= 0)"));
        String run = job.path("importJob.runs[0].id").entity(String.class).get();
        graphQl.document("query($run: ID!) { series(runIds: [$run], names: [\"loss\"]) { points { step } } }")
                .variable("run", run).execute().path("series[0].points[*].step").entityList(Long.class)
                .isEqualTo(List.of(0L, 2L));
    }

    @Test
    void shouldImportImagesHistogramsAndTextAsMediaOnceWhateverTheImports() throws IOException {
        byte[] png = MediaFixtures.png(4, 3, 5);
        TfRecordWriter events = new TfRecordWriter();
        for (int step = 0; step < 3; step++) {
            events.write(value(T0 + step, step, Summary.Value.newBuilder().setTag("samples").setImage(
                    Summary.Image.newBuilder().setEncodedImageString(ByteString.copyFrom(png)))));
            events.write(value(T0 + step, step, Summary.Value.newBuilder().setTag("weights").setHisto(
                    HistogramProto.newBuilder().setMin(0).setMax(2).addBucketLimit(1).addBucketLimit(2)
                            .addBucket(step).addBucket(1))));
        }
        events.write(value(T0 + 3, 3, Summary.Value.newBuilder().setTag("notes").setMetadata(SummaryMetadata
                .newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("text")))
                .setTensor(TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                        .addStringVal(ByteString.copyFromUtf8("**bold**")))));
        events.write(value(T0 + 4, 4, Summary.Value.newBuilder().setTag("samples").setImage(
                Summary.Image.newBuilder().setEncodedImageString(ByteString.copyFromUtf8("not an image")))));
        events.writeTo(logDir.resolve("seed1/events.out.tfevents.1767225600.host"));

        var job = importAndWait();
        job.path("importJob.unmapped").entityList(String.class).isEqualTo(List.of("run seed1: media samples at step 4 "
                + "not imported (image: not a PNG, JPEG or WebP image (its first bytes are none of theirs))"));
        String run = job.path("importJob.runs[0].id").entity(String.class).get();
        importAndWait().path("importJob.runs[0].id").entity(String.class).isEqualTo(run);

        graphQl.document("query($r: ID!) { run(id: $r) { media { name kind steps } } }").variable("r", run).execute()
                .path("run.media").entityList(Map.class).isEqualTo(List.of(
                        Map.of("name", "notes", "kind", "TEXT", "steps", List.of(3)),
                        Map.of("name", "samples", "kind", "IMAGE", "steps", List.of(0, 1, 2)),
                        Map.of("name", "weights", "kind", "HISTOGRAM", "steps", List.of(0, 1, 2))));
        graphQl.document("query($r: ID!) { histograms(runId: $r, name: \"weights\") { step edges counts } }")
                .variable("r", run).execute().path("histograms[2]").entity(Map.class).isEqualTo(Map.of("step", 2,
                        "edges", List.of(0.0, 1.0, 2.0), "counts", List.of(2.0, 1.0)));
        graphQl.document(MediaFixtures.AT).variable("runIds", List.of(run)).variable("name", "samples")
                .variable("step", 1).execute().path("mediaAt[*].image.sha256").entityList(String.class)
                .isEqualTo(List.of(ArtifactHttp.sha256(png)));
        assertThat(jdbc.queryForObject("select count(*) from media_item where run_id = ?", Integer.class,
                Long.parseLong(run))).isEqualTo(7);
    }

    /** Imports the log directory into the test's project; answers the job, which has SUCCEEDED. */
    private GraphQlTester.Response importAndWait() {
        String id = graphQl.document("""
                mutation($input: ImportInput!) { importRuns(input: $input) { id } }""")
                .variable("input", Map.of("format", "TENSORBOARD", "source", logDir.toString(), "project", project))
                .execute().path("importRuns.id").entity(String.class).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> graphQl.document("query($id: ID!) { importJob(id: $id) { "
                + "state } }").variable("id", id).execute().path("importJob.state").entity(String.class).get(),
                state -> !state.equals("RUNNING"));
        GraphQlTester.Response job = graphQl.document("query($id: ID!) { importJob(id: $id) { state pointsStored "
                + "unmapped runs { id } } }").variable("id", id).execute();
        job.path("importJob.state").entity(String.class).isEqualTo("SUCCEEDED");
        return job;
    }

    private static Event value(double wallTime, long step, Summary.Value.Builder value) {
        return Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(Summary.newBuilder().addValue(value))
                .build();
    }

    private static Event scalar(double wallTime, long step, String tag, float value) {
        return value(wallTime, step, Summary.Value.newBuilder().setTag(tag).setSimpleValue(value));
    }
}
