package dev.trackstack.importer.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.importer.tensorboard.proto.Event;
import dev.trackstack.importer.tensorboard.proto.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TensorBoard import through importRuns: points logMetrics would refuse (a negative step, a tag over the name
 * limit) are left out and counted in unmapped, and the rest of the run is stored.
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
        String id = graphQl.document("""
                mutation($input: ImportInput!) { importRuns(input: $input) { id } }""")
                .variable("input", Map.of("format", "TENSORBOARD", "source", logDir.toString(), "project", project))
                .execute().path("importRuns.id").entity(String.class).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> graphQl.document("query($id: ID!) { importJob(id: $id) { "
                + "state } }").variable("id", id).execute().path("importJob.state").entity(String.class).get(),
                state -> !state.equals("RUNNING"));
        var job = graphQl.document("query($id: ID!) { importJob(id: $id) { state pointsStored unmapped "
                + "runs { id } } }").variable("id", id).execute();
        job.path("importJob.state").entity(String.class).isEqualTo("SUCCEEDED");
        job.path("importJob.pointsStored").entity(Long.class).isEqualTo(2L);
        job.path("importJob.unmapped").entityList(String.class).isEqualTo(List.of(
                "run seed1: 1 points left out (name must be 1 to 256 characters)",
                "run seed1: 2 points left out (step must be >= 0)"));
        String run = job.path("importJob.runs[0].id").entity(String.class).get();
        graphQl.document("query($run: ID!) { series(runIds: [$run], names: [\"loss\"]) { points { step } } }")
                .variable("run", run).execute().path("series[0].points[*].step").entityList(Long.class)
                .isEqualTo(List.of(0L, 2L));
    }

    private static Event scalar(double wallTime, long step, String tag, float value) {
        return Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(Summary.newBuilder()
                .addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(value))).build();
    }
}
