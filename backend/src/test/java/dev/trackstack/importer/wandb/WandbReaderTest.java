package dev.trackstack.importer.wandb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportSink.ImportedLine;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.importer.wandb.proto.ConfigItem;
import dev.trackstack.importer.wandb.proto.ConfigRecord;
import dev.trackstack.importer.wandb.proto.EnvironmentRecord;
import dev.trackstack.importer.wandb.proto.GitRepoRecord;
import dev.trackstack.importer.wandb.proto.HistoryItem;
import dev.trackstack.importer.wandb.proto.HistoryRecord;
import dev.trackstack.importer.wandb.proto.HistoryStep;
import dev.trackstack.importer.wandb.proto.OutputRawRecord;
import dev.trackstack.importer.wandb.proto.OutputRecord;
import dev.trackstack.importer.wandb.proto.Record;
import dev.trackstack.importer.wandb.proto.RunExitRecord;
import dev.trackstack.importer.wandb.proto.RunRecord;
import dev.trackstack.importer.wandb.proto.StatsItem;
import dev.trackstack.importer.wandb.proto.StatsRecord;
import dev.trackstack.importer.wandb.proto.SummaryItem;
import dev.trackstack.importer.wandb.proto.SummaryRecord;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/**
 * The W&B reader on run files written by WandbDatastoreWriter, the records being wandb_internal.Record messages as
 * wandb-core writes them into offline runs (history leaves by nested_key, media dicts as their leaves) and as the
 * older Python writer did (a key with a JSON object value).
 */
class WandbReaderTest {

    static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path directory;

    final WandbReader reader = new WandbReader();
    final CollectingSink sink = new CollectingSink();

    @Test
    void readsEveryPartOfARunFile() throws IOException {
        String longText = "x".repeat(70_000); // a history record over three blocks: FIRST, MIDDLE, LAST
        Path file = new WandbDatastoreWriter()
                .write(Record.newBuilder().setHeader(ByteString.EMPTY).build())
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("abc123").setEntity("team")
                        .setProject("vision").setDisplayName("bright-sun-1").setNotes("first try").addTags("baseline")
                        .addTags("gpu").setStartTime(time(0)).setRunGroup("sweep-a").setHost("gpu-box")
                        .setGit(GitRepoRecord.newBuilder().setRemoteUrl("https://example.com/r.git")
                                .setCommit("c0ffee"))
                        .setConfig(ConfigRecord.newBuilder().addUpdate(config("lr", "0.001"))
                                .addUpdate(config("optimizer", "{\"value\": \"adam\", \"desc\": \"the optimizer\"}"))))
                        .build())
                .write(Record.newBuilder().setTelemetry(ByteString.copyFromUtf8("telemetry")).build())
                .write(Record.newBuilder().setEnvironment(EnvironmentRecord.newBuilder().setOs("Linux-6.8")
                        .setPython("3.12.3").setProgram("train.py").addArgs("--epochs").addArgs("3")
                        .setHost("gpu-box")).build())
                .write(Record.newBuilder().setConfig(ConfigRecord.newBuilder().addUpdate(config("batch_size", "64"))
                        .addUpdate(ConfigItem.newBuilder().addNestedKey("model").addNestedKey("layers")
                                .setValueJson("4"))
                        .addUpdate(config("_wandb", "{\"cli_version\": \"0.30.0\"}"))
                        .addUpdate(config("scratch", "1"))).build())
                .write(Record.newBuilder().setConfig(ConfigRecord.newBuilder().addRemove(config("scratch", "")))
                        .build())
                .write(Record.newBuilder().setMetric(ByteString.copyFromUtf8("loss")).build())
                // wandb-core: every leaf by its nested key, an image's fields among them.
                .write(history(0, Map.of(), List.of(
                        nested(at(1.5), "_timestamp"), nested("0", "_step"), nested("1.5", "_runtime"),
                        nested("0.9", "loss"), nested("0.5", "val", "acc"),
                        nested("\"image-file\"", "img", "_type"), nested("8", "img", "width"),
                        nested("\"media/images/img_0_1.png\"", "img", "path"),
                        nested("\"hello\"", "caption"), nested("true", "flag"))))
                // The Python writer: a key and its value, objects whole.
                .write(history(1, Map.of("_timestamp", at(2.25), "_step", "1", "loss", "0.7",
                        "val", "{\"acc\": 0.6}", "img", "{\"_type\": \"image-file\", \"width\": 8}"), List.of()))
                .write(output(Record.newBuilder().setOutputRaw(OutputRawRecord.newBuilder()
                        .setOutputType(OutputRawRecord.OutputType.STDOUT).setTimestamp(time(5)).setLine("epoch 1\n"))))
                .write(output(Record.newBuilder().setOutputRaw(OutputRawRecord.newBuilder()
                        .setOutputType(OutputRawRecord.OutputType.STDOUT).setTimestamp(time(6))
                        .setLine("progress 10%\rprogress 100%\r\n"))))
                .write(output(Record.newBuilder().setOutputRaw(OutputRawRecord.newBuilder()
                        .setOutputType(OutputRawRecord.OutputType.STDERR).setTimestamp(time(7)).setLine("warn"))))
                .write(output(Record.newBuilder().setOutput(OutputRecord.newBuilder()
                        .setOutputType(OutputRecord.OutputType.STDERR).setTimestamp(time(8)).setLine(" more\n"))))
                .write(history(2, Map.of("_timestamp", at(3), "loss", "NaN", "notes_text", "\"" + longText + "\""),
                        List.of()))
                .write(Record.newBuilder().setHistory(HistoryRecord.newBuilder() // no step: its _step
                        .addItem(HistoryItem.newBuilder().setKey("_step").setValueJson("3"))
                        .addItem(HistoryItem.newBuilder().setKey("_timestamp").setValueJson(at(4.000001)))
                        .addItem(HistoryItem.newBuilder().setKey("loss").setValueJson("0.5"))).build())
                .write(Record.newBuilder().setStats(StatsRecord.newBuilder().setTimestamp(time(15.25))
                        .addItem(stat("memory_percent", "40.5")).addItem(stat("proc.memory.rssMB", "100"))
                        .addItem(stat("gpu.0.gpu", "80")).addItem(stat("gpu.0.memoryAllocatedBytes", "1000"))
                        .addItem(stat("cpu", "12.5")).addItem(stat("network.sent", "2048"))
                        .addItem(stat("gpu.0.name", "\"A100\""))).build())
                .write(output(Record.newBuilder().setOutputRaw(OutputRawRecord.newBuilder()
                        .setOutputType(OutputRawRecord.OutputType.STDOUT).setTimestamp(time(16))
                        .setLine("done, no newline"))))
                .write(Record.newBuilder().setSummary(SummaryRecord.newBuilder().addUpdate(summary("loss", "0.5"))
                        .addUpdate(summary("best_acc", "0.6")).addUpdate(summary("val", "{\"acc\": 0.6}"))
                        .addUpdate(summary("_wandb", "{\"runtime\": 20}")).addUpdate(summary("_step", "3"))).build())
                .write(Record.newBuilder().setExit(RunExitRecord.newBuilder().setExitCode(0).setRuntime(20)).build())
                .write(Record.newBuilder().setFinal(ByteString.EMPTY).build())
                .writeTo(directory.resolve("offline-run-20260301_100000-abc123/run-abc123.wandb"));
        assertThat(Files.size(file)).isGreaterThan(2 * WandbLog.BLOCK);

        reader.read(new ImportSource(file.toString(), null), sink);

        CollectingSink.Collected run = sink.runs.get("abc123");
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        hyperparameters.put("lr", 0.001);
        hyperparameters.put("optimizer", "adam");
        hyperparameters.put("batch_size", 64);
        hyperparameters.put("model", Map.of("layers", 4));
        hyperparameters.put("wandb_metadata", Map.of("host", "gpu-box", "os", "Linux-6.8", "python", "3.12.3",
                "program", "train.py", "args", List.of("--epochs", "3"),
                "git", Map.of("remote", "https://example.com/r.git", "commit", "c0ffee")));
        assertThat(run.run).isEqualTo(new ImportedRun("abc123", "vision", "bright-sun-1", hyperparameters,
                List.of("baseline", "gpu"), "first try", START));
        assertThat(List.copyOf(run.run.hyperparameters().keySet())).containsExactly("lr", "optimizer", "batch_size",
                "model", "wandb_metadata");

        long statsStep = START.getEpochSecond() + 15;
        assertThat(run.points).containsExactlyInAnyOrder(
                point("loss", 0, 0.9, 1.5), point("val.acc", 0, 0.5, 1.5),
                point("loss", 1, 0.7, 2.25), point("val.acc", 1, 0.6, 2.25),
                point("loss", 2, Double.NaN, 3),
                point("loss", 3, 0.5, 4.000001),
                point("sys/memory_percent", statsStep, 40.5, 15.25),
                point("sys/process_memory_rss_bytes", statsStep, 100 * 1024 * 1024, 15.25),
                point("sys/gpu.0.utilization_percent", statsStep, 80, 15.25),
                point("sys/gpu.0.memory_used_bytes", statsStep, 1000, 15.25),
                point("system/cpu", statsStep, 12.5, 15.25),
                point("system/network.sent", statsStep, 2048, 15.25));
        assertThat(run.lines).containsExactly(new ImportedLine("epoch 1", START.plusSeconds(5)),
                new ImportedLine("progress 100%", START.plusSeconds(6)),
                new ImportedLine("warn more", START.plusSeconds(8)),
                new ImportedLine("done, no newline", START.plusSeconds(16)));
        assertThat(run.media).as("the image at step 0 has no file, the one at step 1 names none").isEmpty();
        assertThat(run.status).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.endedAt).isEqualTo(START.plusSeconds(20));
        assertThat(sink.unmapped).containsExactly(
                "run abc123: config \"_wandb\" (W&B's own settings and telemetry) not imported",
                "run abc123: entity \"team\", group \"sweep-a\" not imported",
                "run abc123: history \"img\" at step 0: image-file not imported (files/media/images/img_0_1.png could"
                        + " not be read: no such file)",
                "run abc123: history \"caption\": 1 string value not imported",
                "run abc123: history \"flag\": 1 boolean value not imported",
                "run abc123: history \"img\": 1 image-file value not imported",
                "run abc123: history \"notes_text\": 1 string value not imported",
                "run abc123: system metric \"gpu.0.name\": 1 string value not imported",
                "run abc123: summary \"best_acc\" = 0.6 (not in its history)",
                "run abc123: 1 telemetry record not imported",
                "run abc123: 1 metric record not imported");
    }

    @Test
    void readsAWandbDirectoryRunByRunAndStopsAFileAtACorruptRecord() throws IOException {
        Path wandb = directory.resolve("wandb");
        Path failed = wandb.resolve("offline-run-20260301_100000-aaa");
        new WandbDatastoreWriter()
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("aaa").setStartTime(time(0))).build())
                .write(history(0, Map.of("_timestamp", at(1), "loss", "2.5"), List.of()))
                .write(Record.newBuilder().setExit(RunExitRecord.newBuilder().setExitCode(1).setRuntime(9)).build())
                .writeTo(failed.resolve("run-aaa.wandb"));
        Files.writeString(Files.createDirectories(failed.resolve("files")).resolve("wandb-metadata.json"), """
                {"os": "Linux-6.8", "python": "CPython 3.12.3", "host": "node-7", "program": "train.py",
                 "args": ["--lr", "0.1"], "git": {"remote": "git@example.com:r.git", "commit": "beef"},
                 "email": "someone@example.com", "cpu_count": 8, "gpu": "NVIDIA A100", "gpu_count": 2}
                """);
        Files.writeString(failed.resolve("files/config.yaml"), "lr: {value: 0.1}\n");
        Files.writeString(failed.resolve("files/requirements.txt"), "torch\n");
        Files.createDirectories(failed.resolve("files/media/images"));
        Files.writeString(failed.resolve("files/media/images/img_0.png"), "png");

        WandbDatastoreWriter crashed = new WandbDatastoreWriter()
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("bbb").setProject("p")).build())
                .write(history(0, Map.of("_timestamp", at(2), "loss", "1.5"), List.of()));
        int corruptAt = crashed.size();
        byte[] bytes = crashed.write(history(1, Map.of("_timestamp", at(3), "loss", "1.2"), List.of()))
                .write(Record.newBuilder().setExit(RunExitRecord.newBuilder()).build()).bytes();
        bytes[corruptAt + 10] ^= 0x40;
        Path crashedDirectory = Files.createDirectories(wandb.resolve("run-20260302_100000-bbb"));
        Files.write(crashedDirectory.resolve("run-bbb.wandb"), bytes);
        Files.createDirectories(wandb.resolve("offline-run-20260303_100000-ccc"));
        Files.writeString(wandb.resolve("debug.log"), "not a run");

        reader.read(new ImportSource(wandb.toString(), null), sink);

        assertThat(sink.runs).containsOnlyKeys("aaa", "bbb");
        assertThat(List.copyOf(sink.runs.keySet())).containsExactly("aaa", "bbb");
        CollectingSink.Collected aaa = sink.runs.get("aaa");
        assertThat(aaa.run).isEqualTo(new ImportedRun("aaa", null, null, Map.of("wandb_metadata",
                Map.of("host", "node-7", "os", "Linux-6.8", "python", "CPython 3.12.3", "program", "train.py",
                        "args", List.of("--lr", "0.1"), "cpu_count", 8, "gpu", "NVIDIA A100", "gpu_count", 2,
                        "git", Map.of("remote", "git@example.com:r.git", "commit", "beef"))),
                List.of(), null, START));
        assertThat(aaa.points).containsExactly(point("loss", 0, 2.5, 1));
        assertThat(aaa.status).isEqualTo(RunStatus.FAILED);
        assertThat(aaa.endedAt).isEqualTo(START.plusSeconds(9));

        CollectingSink.Collected bbb = sink.runs.get("bbb");
        assertThat(bbb.run.project()).isEqualTo("p");
        assertThat(bbb.points).containsExactly(point("loss", 0, 1.5, 2));
        assertThat(bbb.status).isEqualTo(RunStatus.CRASHED);
        assertThat(bbb.endedAt).isEqualTo(START.plusSeconds(2));
        assertThat(sink.unmapped).containsExactly(
                "offline-run-20260303_100000-ccc: no run-*.wandb file in it",
                "run aaa: 2 files under files/ not imported: media/images/img_0.png, requirements.txt",
                "run bbb: run-bbb.wandb: reading stopped after 2 records: the record at byte " + corruptAt
                        + " fails its checksum");
    }

    @Test
    void batchesPointsAndReadsOneRunDirectory() throws IOException {
        WandbDatastoreWriter writer = new WandbDatastoreWriter()
                .write(Record.newBuilder().setRun(RunRecord.newBuilder().setRunId("many")).build());
        for (int step = 0; step < 6_000; step++) {
            writer.write(history(step, Map.of("loss", Double.toString(1.0 / (step + 1))), List.of()));
        }
        Path run = directory.resolve("offline-run-20260301_100000-many");
        writer.writeTo(run.resolve("run-many.wandb"));

        reader.read(new ImportSource(run.toString(), null), sink);

        CollectingSink.Collected many = sink.runs.get("many");
        assertThat(many.pointBatches).containsExactly(5_000, 1_000);
        assertThat(many.points).hasSize(6_000);
        assertThat(many.points.get(5_999)).isEqualTo(new MetricPointInput("loss", null, 5_999L, 1.0 / 6_000, null));
        assertThat(many.status).isEqualTo(RunStatus.CRASHED);
        assertThat(many.endedAt).isNull();
    }

    @Test
    void refusesWhatIsNoWandbSource() throws IOException {
        Path empty = Files.createDirectories(directory.resolve("empty"));
        Path text = Files.writeString(directory.resolve("run-x.wandb"), "plain text, no header");

        assertThatThrownBy(() -> reader.read(new ImportSource(directory.resolve("none").toString(), null), sink))
                .isInstanceOf(ImportException.class).hasMessage("There is no file or directory "
                        + directory.resolve("none"));
        assertThatThrownBy(() -> reader.read(new ImportSource(empty.toString(), null), sink))
                .isInstanceOf(ImportException.class).hasMessage(empty + " holds no W&B run: no run-*.wandb file, no"
                        + " offline-run-* or run-* directory");
        assertThatThrownBy(() -> reader.read(new ImportSource(text.toString(), null), sink))
                .isInstanceOf(ImportException.class).hasMessage(text + " is not a readable W&B run file: it does not"
                        + " start with the W&B header (:W&B, 0xBEE1)");
        assertThat(sink.runs).isEmpty();
    }

    static Record history(long step, Map<String, String> items, List<HistoryItem> nestedItems) {
        HistoryRecord.Builder history = HistoryRecord.newBuilder().setStep(HistoryStep.newBuilder().setNum(step));
        new java.util.TreeMap<>(items).forEach((key, json) -> history.addItem(HistoryItem.newBuilder().setKey(key)
                .setValueJson(json)));
        history.addAllItem(nestedItems);
        return Record.newBuilder().setHistory(history).build();
    }

    static HistoryItem nested(String json, String... path) {
        return HistoryItem.newBuilder().addAllNestedKey(List.of(path)).setValueJson(json).build();
    }

    static ConfigItem config(String key, String json) {
        return ConfigItem.newBuilder().setKey(key).setValueJson(json).build();
    }

    static SummaryItem summary(String key, String json) {
        return SummaryItem.newBuilder().setKey(key).setValueJson(json).build();
    }

    static StatsItem stat(String key, String json) {
        return StatsItem.newBuilder().setKey(key).setValueJson(json).build();
    }

    static Record output(Record.Builder record) {
        return record.build();
    }

    /** W&B's _timestamp: seconds since the epoch, as JSON. */
    static String at(double seconds) {
        return Double.toString(START.getEpochSecond() + seconds);
    }

    static Timestamp time(double seconds) {
        Instant instant = START.plusNanos(Math.round(seconds * 1e9));
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    static MetricPointInput point(String name, long step, double value, double seconds) {
        return new MetricPointInput(name, null, step, value, START.plusNanos(Math.round(seconds * 1e6) * 1000)
                .atOffset(ZoneOffset.UTC));
    }
}
