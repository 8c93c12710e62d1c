package dev.trackstack.importer.wandb;

import static dev.trackstack.importer.wandb.WandbReaderTest.at;
import static dev.trackstack.importer.wandb.WandbReaderTest.history;
import static dev.trackstack.importer.wandb.WandbReaderTest.stat;
import static dev.trackstack.importer.wandb.WandbReaderTest.time;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.trackstack.importer.wandb.proto.ConfigItem;
import dev.trackstack.importer.wandb.proto.ConfigRecord;
import dev.trackstack.importer.wandb.proto.OutputRawRecord;
import dev.trackstack.importer.wandb.proto.Record;
import dev.trackstack.importer.wandb.proto.RunExitRecord;
import dev.trackstack.importer.wandb.proto.RunRecord;
import dev.trackstack.importer.wandb.proto.StatsRecord;

/** importRuns of a wandb directory through GraphQL, twice: the second import finds the run and stores nothing. */
class WandbImportTests extends WandbJobTest {


    @TempDir
    Path dir;

    @Test
    void importsAWandbDirectoryAndASecondImportStoresNothingTwice() throws Exception {
        Path wandb = dir.resolve("wandb");
        new WandbDatastoreWriter()
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("r1").setProject(project)
                        .setDisplayName("first").addTags("imported").setNotes("from W&B").setStartTime(time(0))
                        .setConfig(ConfigRecord.newBuilder().addUpdate(ConfigItem.newBuilder().setKey("lr")
                                .setValueJson("0.01")))).build())
                .write(history(0, Map.of("_timestamp", at(1), "loss", "1.0", "caption", "\"a\""), List.of()))
                .write(history(1, Map.of("_timestamp", at(2), "loss", "0.5"), List.of()))
                .write(history(2, Map.of("_timestamp", at(3), "loss", "0.25"), List.of()))
                .write(Record.newBuilder().setStats(StatsRecord.newBuilder().setTimestamp(time(4))
                        .addItem(stat("memory_percent", "50"))).build())
                .write(Record.newBuilder().setOutputRaw(OutputRawRecord.newBuilder().setTimestamp(time(5))
                        .setOutputType(OutputRawRecord.OutputType.STDOUT).setLine("epoch 1\nepoch 2\n")).build())
                .write(Record.newBuilder().setExit(RunExitRecord.newBuilder().setExitCode(0).setRuntime(6)).build())
                .writeTo(wandb.resolve("offline-run-20260301_100000-r1/run-r1.wandb"));

        Map<String, Object> first = importAndWait(wandb.toString(), null);

        assertThat(first).containsEntry("state", "SUCCEEDED").containsEntry("runsRead", 1)
                .containsEntry("runsCreated", 1).containsEntry("pointsStored", 4).containsEntry("pointsDuplicate", 0)
                .containsEntry("unmapped", List.of("run r1: history \"caption\": 1 string value not imported"));
        Map<String, Object> run = runs(first).get(0);
        assertThat(run).containsEntry("name", "first").containsEntry("status", "COMPLETED")
                .containsEntry("hyperparameters", Map.of("lr", 0.01)).containsEntry("tags", List.of("imported"))
                .containsEntry("notes", "from W&B");
        assertThat(Instant.parse((String) run.get("createdAt"))).isEqualTo(WandbReaderTest.START);
        assertThat(Instant.parse((String) run.get("finishedAt"))).isEqualTo(WandbReaderTest.START.plusSeconds(6));
        assertThat(run.get("summaries")).isEqualTo(List.of(
                Map.of("name", "loss", "count", 3, "lastStep", 2, "last", 0.25),
                Map.of("name", "sys/memory_percent", "count", 1, "lastStep",
                        (int) WandbReaderTest.START.getEpochSecond() + 4, "last", 50.0)));
        String runId = (String) run.get("id");
        assertThat(series(runId)).isEqualTo(List.of(Map.of("name", "loss", "steps", List.of(0, 1, 2),
                "values", List.of(1.0, 0.5, 0.25))));
        assertThat(console(runId)).isEqualTo(List.of("epoch 1", "epoch 2"));

        Map<String, Object> second = importAndWait(wandb.toString(), null);

        assertThat(second).containsEntry("state", "SUCCEEDED").containsEntry("runsRead", 1)
                .containsEntry("runsCreated", 0).containsEntry("pointsStored", 0).containsEntry("pointsDuplicate", 4);
        assertThat(runs(second).get(0)).containsEntry("id", runId);
        assertThat(jdbc.queryForObject("select count(*) from run where import_key = 'r1'", Long.class)).isEqualTo(1);
        assertThat(series(runId)).isEqualTo(List.of(Map.of("name", "loss", "steps", List.of(0, 1, 2),
                "values", List.of(1.0, 0.5, 0.25))));
        assertThat(console(runId)).isEqualTo(List.of("epoch 1", "epoch 2"));
    }

    private List<?> console(String runId) {
        return graphQl.document("query($r: ID!) { run(id: $r) { console { lines { text } } } }").variable("r", runId)
                .execute().path("run.console.lines[*].text").entity(List.class).get();
    }
}
