package dev.trackstack.importer.wandb;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;

/** Imports through importRuns with format WANDB, and follows the job until it ends. */
abstract class WandbJobTest extends ApiTest {

    private static final String JOB = """
            state runsRead runsCreated pointsStored pointsDuplicate unmapped error
            runs { id name status hyperparameters tags notes createdAt finishedAt
                   summaries { name count lastStep last } }
            """;

    @SuppressWarnings("unchecked")
    Map<String, Object> importAndWait(String source, String key) throws InterruptedException {
        String id = graphQl.document("mutation($s: String!, $k: String) { importRuns(input: {format: WANDB,"
                + " source: $s, apiKey: $k}) { id } }").variable("s", source).variable("k", key).execute()
                .path("importRuns.id").entity(String.class).get();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            Map<String, Object> job = graphQl.document("query($id: ID!) { importJob(id: $id) { " + JOB + " } }")
                    .variable("id", id).execute().path("importJob").entity(Map.class).get();
            if (!"RUNNING".equals(job.get("state")) || Instant.now().isAfter(deadline)) {
                return job;
            }
            Thread.sleep(100);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> runs(Map<String, Object> job) {
        return (List<Map<String, Object>>) job.get("runs");
    }

    List<?> series(String runId) {
        return graphQl.document("query($r: ID!) { series(runIds: [$r], names: [\"loss\"]) { name steps values } }")
                .variable("r", runId).execute().path("series").entity(List.class).get();
    }
}
