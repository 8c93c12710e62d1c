package dev.trackstack.importer.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MLflow importer end to end: importRuns on the mlruns fixture, twice, through GraphQL into the database. */
class MlflowImportJobTests extends ApiTest {

    @TempDir
    private Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void shouldImportAnMlrunsDirectoryAndStoreNothingTwiceOnASecondImport() throws Exception {
        Path mlruns = dir.resolve("mlruns");
        MlflowFixture.writeMlruns(mlruns);

        Map<String, Object> first = importAndWait(mlruns);
        // Runs A, B, C, D, F, G (E is deleted, H in .trash); A's loss logged step 4 twice: 18 values, 17 steps.
        assertThat(first).containsEntry("state", "SUCCEEDED").containsEntry("runsRead", 6)
                .containsEntry("runsCreated", 6).containsEntry("pointsStored", 17).containsEntry("pointsDuplicate", 1);
        assertThat((List<String>) first.get("unmapped")).contains(
                "run " + MlflowFixture.E + " (gone-5): deleted in MLflow, not imported",
                "experiment 3 (old): in .trash (deleted in MLflow), not imported",
                "tag mlflow.user on 3 runs: MLflow's own, not imported");
        List<Map<String, Object>> runs = runs(first);
        assertThat(runs).extracting(run -> run.get("name")).containsExactly("bold-sheep-1", "calm-fox-2", "stopped-3",
                "live-4", "resnet", "queued-7");
        assertThat(runs).extracting(run -> run.get("status")).containsExactly("COMPLETED", "FAILED", "FAILED",
                "RUNNING", "COMPLETED", "RUNNING");
        Map<String, Object> a = runs.get(0);
        assertThat(a.get("tags")).isEqualTo(List.of("baseline", "data/version=v2", "team=vision"));
        assertThat(a.get("notes")).isEqualTo("first try\nwith notes");
        assertThat(a.get("hyperparameters")).isEqualTo(Map.of("lr", 0.001, "batch_size", 32, "optimizer", "adam",
                "layers", "[64, 64]", "seed", -7, "dropout", 0.1));
        assertThat(a.get("summaries")).isEqualTo(List.of(Map.of("name", "loss", "count", 5, "lastStep", 4),
                Map.of("name", "val/acc", "count", 3, "lastStep", 4)));

        Map<String, Object> second = importAndWait(mlruns);
        assertThat(second).containsEntry("state", "SUCCEEDED").containsEntry("runsRead", 6)
                .containsEntry("runsCreated", 0).containsEntry("pointsStored", 0).containsEntry("pointsDuplicate", 18);
        assertThat(runs(second)).extracting(run -> run.get("id"))
                .isEqualTo(runs.stream().map(run -> run.get("id")).toList());
    }

    private Map<String, Object> importAndWait(Path source) {
        String id = graphQl.documentName("importMlflow").variable("source", source.toString())
                .variable("project", project).execute().path("importRuns.id").entity(String.class).get();
        return await().atMost(Duration.ofSeconds(60)).until(() -> graphQl.documentName("importMlflowJob")
                .variable("id", id).execute().path("importJob").entity(Map.class).get(),
                job -> !"RUNNING".equals(job.get("state")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> runs(Map<String, Object> job) {
        return (List<Map<String, Object>>) job.get("runs");
    }
}
