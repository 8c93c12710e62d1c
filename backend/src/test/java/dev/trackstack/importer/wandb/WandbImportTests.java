package dev.trackstack.importer.wandb;

import static dev.trackstack.importer.wandb.WandbReaderTest.at;
import static dev.trackstack.importer.wandb.WandbReaderTest.history;
import static dev.trackstack.importer.wandb.WandbReaderTest.stat;
import static dev.trackstack.importer.wandb.WandbReaderTest.time;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.trackstack.artifact.ArtifactHttp;
import dev.trackstack.importer.wandb.proto.ConfigItem;
import dev.trackstack.importer.wandb.proto.ConfigRecord;
import dev.trackstack.importer.wandb.proto.OutputRawRecord;
import dev.trackstack.importer.wandb.proto.Record;
import dev.trackstack.importer.wandb.proto.RunExitRecord;
import dev.trackstack.importer.wandb.proto.RunRecord;
import dev.trackstack.importer.wandb.proto.StatsRecord;
import dev.trackstack.media.MediaFixtures;

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

    @Test
    void importsImagesHistogramsAndTablesOfTheHistoryAndReportsAMissingImageFile() throws Exception {
        Path runDir = dir.resolve("wandb/offline-run-20260301_100000-m1");
        byte[] png = MediaFixtures.png(4, 3, 5);
        byte[] cell = MediaFixtures.png(2, 2, 6);
        Files.createDirectories(runDir.resolve("files/media/images"));
        Files.write(runDir.resolve("files/media/images/samples_0_abc.png"), png);
        Files.write(runDir.resolve("files/media/images/cell_1.png"), cell);
        Files.createDirectories(runDir.resolve("files/media/table"));
        Files.writeString(runDir.resolve("files/media/table/preds_0_def.table.json"), """
                {"columns": ["id", "label", "image", "extra"], "data": [
                  [1, "cat", {"_type": "image-file", "path": "media/images/cell_1.png", "format": "png"}, true],
                  [2.5, null, null, "x"]]}""");
        String image = "{\"_type\": \"image-file\", \"path\": \"media/images/samples_%d_abc.png\", \"width\": 4,"
                + " \"height\": 3, \"format\": \"png\", \"caption\": \"a cat\"}";
        new WandbDatastoreWriter()
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("m1").setProject(project)).build())
                .write(history(0, Map.of("_step", "0", "loss", "1.0", "samples", image.formatted(0),
                        "weights", "{\"_type\": \"histogram\", \"values\": [2, 1], \"bins\": [0, 1, 2]}",
                        "preds", "{\"_type\": \"table-file\", \"path\": \"media/table/preds_0_def.table.json\"}",
                        "page", "{\"_type\": \"html-file\", \"path\": \"media/html/page_0_1.html\"}"), List.of()))
                .write(history(1, Map.of("_step", "1", "loss", "0.5", "samples", image.formatted(1),
                        "weights", "{\"_type\": \"histogram\", \"values\": [0, 3], \"bins\": [0, 1, 2]}"),
                        List.of()))
                .write(Record.newBuilder().setExit(RunExitRecord.newBuilder().setExitCode(0)).build())
                .writeTo(runDir.resolve("run-m1.wandb"));

        Map<String, Object> job = importAndWait(dir.resolve("wandb").toString(), null);

        assertThat(job).containsEntry("state", "SUCCEEDED").containsEntry("pointsStored", 2);
        assertThat(job.get("unmapped")).isEqualTo(List.of(
                "run m1: history \"samples\" at step 1: image-file not imported (files/media/images/samples_1_abc.png"
                        + " could not be read: no such file)",
                "run m1: history \"page\": 1 html-file value not imported"));
        String run = (String) runs(job).get(0).get("id");
        assertThat(graphQl.document("query($r: ID!) { run(id: $r) { media { name kind steps } } }").variable("r", run)
                .execute().path("run.media").entityList(Map.class).get()).isEqualTo(List.of(
                        Map.of("name", "preds", "kind", "TABLE", "steps", List.of(0)),
                        Map.of("name", "samples", "kind", "IMAGE", "steps", List.of(0)),
                        Map.of("name", "weights", "kind", "HISTOGRAM", "steps", List.of(0, 1))));
        Map<?, ?> sample = graphQl.document(MediaFixtures.AT).variable("runIds", List.of(run))
                .variable("name", "samples").variable("step", 0).execute().path("mediaAt[0]").entity(Map.class).get();
        assertThat(sample.get("caption")).isEqualTo("a cat");
        assertThat(((Map<?, ?>) sample.get("image")).get("sha256")).isEqualTo(ArtifactHttp.sha256(png));
        assertThat(graphQl.document("query($r: ID!) { histograms(runId: $r, name: \"weights\") { step edges counts } }")
                .variable("r", run).execute().path("histograms").entityList(Map.class).get()).isEqualTo(List.of(
                        Map.of("step", 0, "edges", List.of(0.0, 1.0, 2.0), "counts", List.of(2.0, 1.0)),
                        Map.of("step", 1, "edges", List.of(0.0, 1.0, 2.0), "counts", List.of(0.0, 3.0))));
        Map<?, ?> table = graphQl.document(MediaFixtures.AT).variable("runIds", List.of(run)).variable("name", "preds")
                .variable("step", 0).execute().path("mediaAt[0].table").entity(Map.class).get();
        assertThat(table.get("columns")).isEqualTo(List.of(Map.of("name", "id", "type", "NUMBER"),
                Map.of("name", "label", "type", "TEXT"), Map.of("name", "image", "type", "IMAGE"),
                Map.of("name", "extra", "type", "TEXT")));
        List<?> rows = (List<?>) table.get("rows");
        assertThat(((List<?>) rows.get(0)).subList(0, 2)).isEqualTo(List.of(1.0, "cat"));
        assertThat(((Map<?, ?>) ((List<?>) rows.get(0)).get(2)).get("sha256")).isEqualTo(ArtifactHttp.sha256(cell));
        assertThat(((List<?>) rows.get(0)).get(3)).isEqualTo("true");
        assertThat(rows.get(1)).isEqualTo(java.util.Arrays.asList(2.5, null, null, "x"));
    }

    @Test
    void importsAnImagesBoxesAndMasksAsItsOverlays() throws Exception {
        Path runDir = dir.resolve("wandb/offline-run-20260301_100000-o1");
        Path files = runDir.resolve("files");
        Files.createDirectories(files.resolve("media/images/mask"));
        Files.createDirectories(files.resolve("media/metadata/boxes2D"));
        Files.write(files.resolve("media/images/photo_0_a.png"), MediaFixtures.png(200, 100, 5));
        byte[] mask = MediaFixtures.png(20, 10, 1);
        Files.write(files.resolve("media/images/mask/photo_0_m.mask.png"), mask);
        Files.write(files.resolve("media/images/mask/photo_0_big.mask.png"), MediaFixtures.png(200, 100, 2));
        Files.writeString(files.resolve("media/metadata/boxes2D/photo_0_p.boxes2D.json"), """
                {"class_labels": {"1": "cat", "2": "dog"}, "box_data": [
                  {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6}, "class_id": 1,
                   "scores": {"confidence": 0.875}},
                  {"position": {"middle": [100, 50], "width": 50, "height": 20}, "domain": "pixel", "class_id": 2,
                   "box_caption": "a big dog"},
                  {"position": {"x": 1}, "class_id": 1}]}""");
        Files.writeString(files.resolve("media/metadata/boxes2D/photo_0_t.boxes2D.json"), """
                {"class_labels": {"1": "cat"}, "box_data": [
                  {"position": {"minX": 0, "maxX": 0.25, "minY": 0, "maxY": 0.5}, "class_id": 1}]}""");
        String image = """
                {"_type": "image-file", "path": "media/images/photo_0_a.png", "width": 200, "height": 100,
                 "boxes": {"predictions": {"_type": "boxes2D", "path": "media/metadata/boxes2D/photo_0_p.boxes2D.json"},
                           "truth": {"_type": "boxes2D", "path": "media/metadata/boxes2D/photo_0_t.boxes2D.json"}},
                 "masks": {"segments": {"_type": "mask", "path": "media/images/mask/photo_0_m.mask.png",
                                        "class_labels": {"1": "road"}},
                           "noise": {"_type": "mask", "path": "media/images/mask/photo_0_big.mask.png"}}}""";
        new WandbDatastoreWriter()
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("o1").setProject(project)).build())
                .write(history(0, Map.of("_step", "0", "photo", image), List.of()))
                .write(Record.newBuilder().setExit(RunExitRecord.newBuilder().setExitCode(0)).build())
                .writeTo(runDir.resolve("run-o1.wandb"));

        Map<String, Object> job = importAndWait(dir.resolve("wandb").toString(), null);

        assertThat(job).containsEntry("state", "SUCCEEDED").containsEntry("unmapped", List.of("run o1: "
                + "media/images/mask/photo_0_big.mask.png: a mask over 49152 characters of base64, left out of its "
                + "image's overlays"));
        String run = (String) runs(job).get(0).get("id");
        Map<?, ?> overlays = (Map<?, ?>) graphQl.document(MediaFixtures.AT).variable("runIds", List.of(run))
                .variable("name", "photo").variable("step", 0).execute().path("mediaAt[0].image.overlays")
                .entity(Map.class).get();
        assertThat(overlays.get("boxes")).isEqualTo(List.of(
                Map.of("x", 0.1, "y", 0.2, "width", 0.4, "height", 0.39999999999999997, "label", "cat",
                        "score", 0.875),
                Map.of("x", 0.375, "y", 0.4, "width", 0.25, "height", 0.2, "label", "a big dog"),
                Map.of("x", 0.0, "y", 0.0, "width", 0.25, "height", 0.5, "label", "cat")));
        assertThat(overlays.get("masks")).isEqualTo(List.of(Map.of("data",
                java.util.Base64.getEncoder().encodeToString(mask), "classes", Map.of("1", "road"))));
    }

    private List<?> console(String runId) {
        return graphQl.document("query($r: ID!) { run(id: $r) { console { lines { text } } } }").variable("r", runId)
                .execute().path("run.console.lines[*].text").entity(List.class).get();
    }
}
