package dev.trackstack.importer.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;


/**
 * importRuns of a project on a W&B server (its stand-in) through GraphQL, twice: the second import finds both runs
 * and stores nothing; a refused key fails the job with one sentence.
 */
class WandbServerImportTests extends WandbJobTest {

    private static final int POINTS = 11 + WandbServerTest.LONG_STEPS;

    @Test
    void importsAProjectAndASecondImportStoresNothingTwice() throws Exception {
        try (WandbServerStandIn server = WandbServerTest.standIn(project)) {
            Map<String, Object> first = importAndWait(server.url(), WandbServerTest.KEY);

            assertThat(first).containsEntry("state", "SUCCEEDED").containsEntry("error", null)
                    .containsEntry("runsRead", 2).containsEntry("runsCreated", 2)
                    .containsEntry("pointsStored", POINTS).containsEntry("pointsDuplicate", 0);
            assertThat(first).containsEntry("unmapped", List.of(
                    "run abc123: config \"_wandb\" (W&B's own settings and telemetry) not imported",
                    "run abc123: history \"caption\": 1 string value not imported",
                    "run abc123: summary \"best_acc\" = 0.95 (not in its history)",
                    "run def456: group \"g1\" not imported",
                    "127.0.0.1: console output, files, media and artifacts are not read from a W&B server"));
            List<Map<String, Object>> runs = runs(first);
            assertThat(runs).extracting(run -> run.get("name")).containsExactly("first", "second");
            Map<String, Object> run = runs.get(0);
            assertThat(run).containsEntry("status", "COMPLETED")
                    .containsEntry("hyperparameters", Map.of("lr", 0.01, "layers", List.of(64, 32)))
                    .containsEntry("tags", List.of("baseline", "gpu")).containsEntry("notes", "from W&B");
            assertThat(Instant.parse((String) run.get("createdAt"))).isEqualTo(WandbServerTest.START);
            assertThat(Instant.parse((String) run.get("finishedAt"))).isEqualTo(WandbServerTest.START.plusSeconds(6));
            assertThat(runs.get(1)).containsEntry("status", "FAILED");
            String runId = (String) run.get("id");
            assertThat(series(runId)).isEqualTo(List.of(Map.of("name", "loss", "steps", List.of(0, 1, 2),
                    "values", List.of(1.0, 0.5, 0.25))));

            Map<String, Object> second = importAndWait(server.url(), WandbServerTest.KEY);

            assertThat(second).containsEntry("state", "SUCCEEDED").containsEntry("runsRead", 2)
                    .containsEntry("runsCreated", 0).containsEntry("pointsStored", 0)
                    .containsEntry("pointsDuplicate", POINTS);
            assertThat(runs(second)).extracting(r -> r.get("id")).containsExactly(runId, runs.get(1).get("id"));
            assertThat(jdbc.queryForObject("select count(*) from run where import_key in ('abc123', 'def456')",
                    Long.class)).isEqualTo(2);
            assertThat(series(runId)).isEqualTo(List.of(Map.of("name", "loss", "steps", List.of(0, 1, 2),
                    "values", List.of(1.0, 0.5, 0.25))));
        }
    }

    @Test
    void aRefusedKeyFailsTheJobWithOneSentence() throws Exception {
        try (WandbServerStandIn server = WandbServerTest.standIn(project)) {
            Map<String, Object> job = importAndWait(server.url(), "wrong");

            assertThat(job).containsEntry("state", "FAILED").containsEntry("runsRead", 0)
                    .containsEntry("error", "The W&B key was refused by 127.0.0.1 (HTTP 401).");
        }
    }
}
