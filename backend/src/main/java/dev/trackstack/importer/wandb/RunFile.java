package dev.trackstack.importer.wandb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSink.ImportedLine;
import dev.trackstack.importer.ImportSink.RunHandle;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.importer.wandb.proto.ConfigItem;
import dev.trackstack.importer.wandb.proto.ConfigRecord;
import dev.trackstack.importer.wandb.proto.EnvironmentRecord;
import dev.trackstack.importer.wandb.proto.GitRepoRecord;
import dev.trackstack.importer.wandb.proto.HistoryItem;
import dev.trackstack.importer.wandb.proto.HistoryRecord;
import dev.trackstack.importer.wandb.proto.Record;
import dev.trackstack.importer.wandb.proto.RunRecord;
import dev.trackstack.importer.wandb.proto.StatsItem;
import dev.trackstack.importer.wandb.proto.StatsRecord;
import dev.trackstack.importer.wandb.proto.SummaryItem;
import dev.trackstack.importer.wandb.proto.SummaryRecord;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One W&B run file (run-&lt;id&gt;.wandb) read into a sink, in two passes: the first gathers the run (its run
 * records, config, exit and environment), so that the run is made before its points; the second streams history,
 * system metrics and console output without holding them.
 */
final class RunFile {

    private static final int BATCH = 5_000;
    /** The kinds (Record field numbers) the second pass reads: history, output, stats, output_raw. */
    private static final Set<Integer> STREAMED = Set.of(Record.HISTORY_FIELD_NUMBER, Record.OUTPUT_FIELD_NUMBER,
            Record.STATS_FIELD_NUMBER, Record.OUTPUT_RAW_FIELD_NUMBER);
    /** Files under files/ that hold what the run file holds too. */
    private static final Set<String> COPIES = Set.of("config.yaml", "wandb-summary.json", "wandb-metadata.json",
            "output.log");

    private final Path file;
    private final ImportSink sink;

    // The first pass
    private final RunRecord.Builder run = RunRecord.newBuilder();
    private final ObjectNode config = WandbValues.JSON.createObjectNode();
    private final ObjectNode summary = WandbValues.JSON.createObjectNode();
    private EnvironmentRecord environment;
    private Integer exitCode;
    private long runtimeSeconds;
    private final Map<Record.RecordTypeCase, Integer> otherRecords = new EnumMap<>(Record.RecordTypeCase.class);
    private int records;
    private String corruption;

    // The second pass
    private final List<MetricPointInput> points = new ArrayList<>();
    private final List<ImportedLine> lines = new ArrayList<>();
    private final Map<OutputStream, Pending> pendingOutput = new EnumMap<>(OutputStream.class);
    private RunValues values;
    private WandbMedia media;
    private long lastStep = -1;
    private Instant lastTime;

    private enum OutputStream { STDOUT, STDERR }

    /** The text of a line not ended yet, and when its last piece was written. */
    private static final class Pending {
        final StringBuilder text = new StringBuilder();
        Instant time;
    }

    RunFile(Path file, ImportSink sink) {
        this.file = file;
        this.sink = sink;
    }

    /** Reads the run; a file that is no W&B run file throws WandbLog.CorruptRecord before anything reaches the sink. */
    void read() throws IOException {
        gather();
        ImportedRun imported = importedRun();
        String id = imported.key();
        RunHandle handle = sink.run(imported);
        stream(handle);
        sink.finish(handle, exitCode == null ? RunStatus.CRASHED : exitCode == 0 ? RunStatus.COMPLETED
                : RunStatus.FAILED, endedAt());
        reportUnmapped(id);
    }

    private void gather() throws IOException {
        try (WandbLog log = WandbLog.open(file)) {
            byte[] payload;
            while ((payload = log.next()) != null) {
                if (STREAMED.contains(kind(payload))) {
                    records++; // read in the second pass
                    continue;
                }
                Record record = parse(payload);
                records++;
                switch (record.getRecordTypeCase()) {
                    case RUN -> mergeRun(record.getRun());
                    case CONFIG -> applyConfig(record.getConfig());
                    case SUMMARY -> applySummary(record.getSummary());
                    case EXIT -> {
                        exitCode = record.getExit().getExitCode();
                        runtimeSeconds = record.getExit().getRuntime();
                    }
                    case ENVIRONMENT -> environment = record.getEnvironment();
                    // Framing of the file itself, no run data.
                    case HEADER, FOOTER, FINAL -> {
                    }
                    default -> otherRecords.merge(record.getRecordTypeCase(), 1, Integer::sum);
                }
            }
        } catch (WandbLog.CorruptRecord e) {
            if (records == 0) {
                throw e;
            }
            corruption = e.getMessage();
        }
    }

    /**
     * The field number of a record's kind, read without parsing it (its fields other than the kind are num, control,
     * uuid and _info); 0 when it has none.
     */
    private static int kind(byte[] payload) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(payload);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = WireFormat.getTagFieldNumber(tag);
                if (field != Record.NUM_FIELD_NUMBER && field != 16 && field != 19 && field != 200) {
                    return field;
                }
                in.skipField(tag);
            }
            return 0;
        } catch (InvalidProtocolBufferException e) {
            throw new WandbLog.CorruptRecord("a record is not a W&B record (" + e.getMessage() + ")");
        }
    }

    /** A payload that is no Record is a corrupt record. */
    private static Record parse(byte[] payload) throws IOException {
        try {
            return Record.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new WandbLog.CorruptRecord("a record is not a W&B record (" + e.getMessage() + ")");
        }
    }

    /** A later run record updates the run: what it sets wins. */
    private void mergeRun(RunRecord update) {
        if (update.hasConfig()) {
            applyConfig(update.getConfig());
        }
        if (update.hasSummary()) {
            applySummary(update.getSummary());
        }
        if (update.getTagsCount() > 0) {
            run.clearTags();
        }
        run.mergeFrom(update.toBuilder().clearConfig().clearSummary().build());
    }

    private void applyConfig(ConfigRecord record) {
        for (ConfigItem item : record.getUpdateList()) {
            WandbValues.set(config, WandbValues.path(item.getKey(), item.getNestedKeyList()),
                    WandbValues.parse(item.getValueJson()));
        }
        for (ConfigItem item : record.getRemoveList()) {
            WandbValues.remove(config, WandbValues.path(item.getKey(), item.getNestedKeyList()));
        }
    }

    private void applySummary(SummaryRecord record) {
        for (SummaryItem item : record.getUpdateList()) {
            WandbValues.set(summary, WandbValues.path(item.getKey(), item.getNestedKeyList()),
                    WandbValues.parse(item.getValueJson()));
        }
        for (SummaryItem item : record.getRemoveList()) {
            WandbValues.remove(summary, WandbValues.path(item.getKey(), item.getNestedKeyList()));
        }
    }

    private ImportedRun importedRun() throws IOException {
        String id = run.getRunId().isEmpty() ? idFromFileName() : run.getRunId();
        values = new RunValues(id);
        Map<String, Object> hyperparameters = values.hyperparameters(config, sink);
        Map<String, Object> metadata = metadata();
        if (!metadata.isEmpty()) {
            hyperparameters.put("wandb_metadata", metadata);
        }
        List<String> elsewhere = new ArrayList<>();
        addIfSet(elsewhere, "entity", run.getEntity());
        addIfSet(elsewhere, "group", run.getRunGroup());
        addIfSet(elsewhere, "job type", run.getJobType());
        addIfSet(elsewhere, "sweep", run.getSweepId());
        if (!elsewhere.isEmpty()) {
            sink.unmapped("run " + id + ": " + String.join(", ", elsewhere) + " not imported");
        }
        return new ImportedRun(id, emptyToNull(run.getProject()),
                emptyToNull(run.getDisplayName()), hyperparameters, List.copyOf(run.getTagsList()),
                emptyToNull(run.getNotes()), run.hasStartTime() ? instant(run.getStartTime()) : null);
    }

    /**
     * Where the run ran, from files/wandb-metadata.json next to the run file, else from the run file's environment
     * record (the same fields, which wandb writes to that file), plus the host and git of the run record.
     */
    private Map<String, Object> metadata() throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        Path json = file.resolveSibling("files").resolve("wandb-metadata.json");
        if (Files.isRegularFile(json)) {
            JsonNode file = WandbValues.parse(Files.readString(json));
            for (String field : List.of("host", "os", "python", "program", "codePath", "args", "executable",
                    "cpu_count", "cpu_count_logical", "gpu", "gpu_count")) {
                if (file.hasNonNull(field)) {
                    metadata.put(field, WandbValues.JSON.treeToValue(file.get(field), Object.class));
                }
            }
            git(metadata, file.path("git").path("remote").asString(""), file.path("git").path("commit").asString(""));
        } else if (environment != null) {
            putIfSet(metadata, "host", environment.getHost());
            putIfSet(metadata, "os", environment.getOs());
            putIfSet(metadata, "python", environment.getPython());
            putIfSet(metadata, "program", environment.getProgram());
            putIfSet(metadata, "codePath", environment.getCodePath());
            if (environment.getArgsCount() > 0) {
                metadata.put("args", List.copyOf(environment.getArgsList()));
            }
            putIfSet(metadata, "executable", environment.getExecutable());
            if (environment.getCpuCount() > 0) {
                metadata.put("cpu_count", environment.getCpuCount());
                metadata.put("cpu_count_logical", environment.getCpuCountLogical());
            }
            putIfSet(metadata, "gpu", environment.getGpuType());
            if (environment.getGpuCount() > 0) {
                metadata.put("gpu_count", environment.getGpuCount());
            }
            git(metadata, environment.getGit().getRemoteUrl(), environment.getGit().getCommit());
        }
        metadata.putIfAbsent("host", emptyToNull(run.getHost()));
        GitRepoRecord git = run.getGit();
        if (!metadata.containsKey("git")) {
            git(metadata, git.getRemoteUrl(), git.getCommit());
        }
        metadata.values().removeIf(value -> value == null);
        return metadata;
    }

    private static void git(Map<String, Object> metadata, String remote, String commit) {
        Map<String, Object> git = new LinkedHashMap<>();
        putIfSet(git, "remote", remote);
        putIfSet(git, "commit", commit);
        if (!git.isEmpty()) {
            metadata.put("git", git);
        }
    }

    private void stream(RunHandle handle) throws IOException {
        media = new WandbMedia(file.resolveSibling("files"), values.id(), sink, handle);
        try (WandbLog log = WandbLog.open(file)) {
            for (int i = 0; i < records; i++) {
                byte[] payload = log.next();
                if (!STREAMED.contains(kind(payload))) {
                    continue;
                }
                Record record;
                try {
                    record = parse(payload);
                } catch (WandbLog.CorruptRecord e) {
                    records = i;
                    corruption = e.getMessage();
                    break;
                }
                switch (record.getRecordTypeCase()) {
                    case HISTORY -> history(handle, record.getHistory());
                    case STATS -> stats(handle, record.getStats());
                    case OUTPUT -> output(handle, record.getOutput().getOutputType().getNumber(),
                            record.getOutput().getLine(), record.getOutput().getTimestamp());
                    case OUTPUT_RAW -> output(handle, record.getOutputRaw().getOutputType().getNumber(),
                            record.getOutputRaw().getLine(), record.getOutputRaw().getTimestamp());
                    default -> {
                    }
                }
            }
        }
        for (Pending pending : pendingOutput.values()) {
            if (!pending.text.isEmpty()) {
                lines.add(new ImportedLine(pending.text.toString(), pending.time));
            }
        }
        flushPoints(handle, 0);
        flushLines(handle, 0);
        media.flush();
    }

    /**
     * A row of history: its numbers become points at its step, with its _timestamp as their time; its images,
     * histograms and tables media items at the step.
     */
    private void history(RunHandle handle, HistoryRecord record) {
        ObjectNode row = WandbValues.JSON.createObjectNode();
        for (HistoryItem item : record.getItemList()) {
            WandbValues.set(row, WandbValues.path(item.getKey(), item.getNestedKeyList()),
                    WandbValues.parseMetric(item.getValueJson()));
        }
        long step = record.hasStep() ? record.getStep().getNum()
                : row.path("_step").isNumber() ? row.get("_step").asLong() : lastStep + 1;
        lastStep = step;
        Instant time = row.path("_timestamp").isNumber() ? RunValues.seconds(row.get("_timestamp").asDouble())
                : null;
        seen(time);
        values.history(row, step, time, points, (name, value) -> media.take(name, step, value));
        flushPoints(handle, BATCH);
    }

    /** A sample of system metrics, stepped by its Unix time in whole seconds as the Python client steps its own. */
    private void stats(RunHandle handle, StatsRecord record) {
        Instant time = instant(record.getTimestamp());
        seen(time);
        for (StatsItem item : record.getItemList()) {
            values.systemMetric(item.getKey(), WandbValues.parseMetric(item.getValueJson()), time, points);
        }
        flushPoints(handle, BATCH);
    }

    /**
     * Console output, in pieces as the terminal got it: a line ends at "\n"; a "\r" that does not end the line
     * starts it again, so that a progress bar keeps its last state.
     */
    private void output(RunHandle handle, int stream, String text, Timestamp timestamp) {
        Instant time = instant(timestamp);
        seen(time);
        Pending pending = pendingOutput.computeIfAbsent(stream == 0 ? OutputStream.STDERR : OutputStream.STDOUT,
                s -> new Pending());
        pending.time = time;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                lines.add(new ImportedLine(pending.text.toString(), time));
                pending.text.setLength(0);
            } else if (c == '\r') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    continue;
                }
                pending.text.setLength(0);
            } else {
                pending.text.append(c);
            }
        }
        flushLines(handle, BATCH);
    }

    private void flushPoints(RunHandle handle, int atLeast) {
        if (!points.isEmpty() && points.size() >= atLeast) {
            sink.points(handle, List.copyOf(points));
            points.clear();
        }
    }

    private void flushLines(RunHandle handle, int atLeast) {
        if (!lines.isEmpty() && lines.size() >= atLeast) {
            sink.console(handle, List.copyOf(lines));
            lines.clear();
        }
    }

    /** When the run ended: its start and runtime when it exited, else the last time its file records. */
    private Instant endedAt() {
        if (exitCode != null && run.hasStartTime()) {
            return instant(run.getStartTime()).plusSeconds(runtimeSeconds);
        }
        return lastTime;
    }

    private void reportUnmapped(String id) throws IOException {
        String run = "run " + id + ": ";
        values.reportUnmapped(summary, sink);
        otherRecords.forEach((kind, count) -> sink.unmapped(run + count + " " + kind.name().toLowerCase(Locale.ROOT)
                + " record" + (count == 1 ? "" : "s") + " not imported"));
        otherFiles(run);
        if (corruption != null) {
            sink.unmapped(run + file.getFileName() + ": reading stopped after " + records + " records: " + corruption);
        }
    }

    /**
     * The run directory's files/ beyond the copies of what the run file holds and the media files imported (other
     * media, code, requirements…).
     */
    private void otherFiles(String run) throws IOException {
        Path files = file.resolveSibling("files");
        if (!Files.isDirectory(files)) {
            return;
        }
        List<String> others;
        try (Stream<Path> walk = Files.walk(files)) {
            others = walk.filter(Files::isRegularFile).map(path -> files.relativize(path).toString().replace('\\', '/'))
                    .filter(name -> !COPIES.contains(name) && !media.read().contains(name)).sorted().toList();
        }
        if (!others.isEmpty()) {
            sink.unmapped(run + others.size() + " file" + (others.size() == 1 ? "" : "s")
                    + " under files/ not imported: " + String.join(", ", others.subList(0, Math.min(5, others.size())))
                    + (others.size() > 5 ? ", …" : ""));
        }
    }

    private String idFromFileName() {
        String name = file.getFileName().toString();
        return name.replaceFirst("^run-", "").replaceFirst("\\.wandb$", "");
    }

    private void seen(Instant time) {
        if (time != null && (lastTime == null || time.isAfter(lastTime))) {
            lastTime = time;
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    private static void addIfSet(List<String> list, String what, String value) {
        if (!value.isEmpty()) {
            list.add(what + " \"" + value + "\"");
        }
    }

    private static void putIfSet(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
