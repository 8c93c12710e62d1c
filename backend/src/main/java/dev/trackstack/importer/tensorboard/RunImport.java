package dev.trackstack.importer.tensorboard;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;

import dev.trackstack.importer.ImportSink;
import dev.trackstack.importer.ImportSink.ImportedLine;
import dev.trackstack.importer.ImportSink.RunHandle;
import dev.trackstack.importer.ImportedRun;
import dev.trackstack.importer.tensorboard.TfRecordReader.CorruptRecordException;
import dev.trackstack.importer.tensorboard.proto.DataType;
import dev.trackstack.importer.tensorboard.proto.Event;
import dev.trackstack.importer.tensorboard.proto.HParamsPluginData;
import dev.trackstack.importer.tensorboard.proto.Summary;
import dev.trackstack.importer.tensorboard.proto.SummaryMetadata;
import dev.trackstack.importer.tensorboard.proto.TensorProto;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;

/**
 * One run: the event files of one directory, read twice. The first pass finds the run's hyperparameters (the hparams
 * plugin's session start info, which may come anywhere in the files) and its start, which the sink needs before any
 * point; the second streams the points, text and media (images, histograms, text) to the sink and counts what it
 * does not map.
 */
final class RunImport {

    static final int POINTS_PER_CALL = 10_000;
    static final int LINES_PER_CALL = 1_000;
    /** Media items per call, within logMedia's limit (256), and base64 characters: a few MB in memory at a time. */
    static final int MEDIA_PER_CALL = 64;
    static final int MEDIA_CHARS_PER_CALL = 8 << 20;

    private static final Kind OLD_HISTOGRAM = Kind.summaries("old-style histogram");
    private static final Kind EMPTY_HISTOGRAM = new Kind("empty or unreadable histogram summary",
            "empty or unreadable histogram summaries");
    private static final Kind NOT_IMAGES = new Kind("images summary that is not [width, height, images…]",
            "images summaries that are not [width, height, images…]");
    private static final Kind AUDIO = Kind.summaries("audio");
    private static final Kind TENSOR = Kind.summaries("tensor");
    private static final Kind NOT_A_NUMBER = new Kind("scalar summary that is not one number",
            "scalar summaries that are not one number");
    private static final Kind HPARAMS_EXPERIMENT = Kind.summaries("hparams experiment");
    private static final Kind HPARAMS_SESSION_END = Kind.summaries("hparams session end");
    private static final Kind GRAPH = Kind.events("graph");
    private static final Kind META_GRAPH = Kind.events("meta graph");
    private static final Kind RUN_METADATA = Kind.events("run metadata");
    private static final Kind SESSION_LOG = Kind.events("session log");
    private static final Kind LOG_MESSAGE = Kind.events("log message");

    private final String key;
    private final String name;
    private final List<Path> files;
    private final ImportSink sink;
    private final Map<String, Tag> tags = new HashMap<>();
    private final Map<Kind, Unmapped> unmapped = new LinkedHashMap<>();
    private List<MetricPointInput> points = new ArrayList<>(POINTS_PER_CALL);
    private List<ImportedLine> lines = new ArrayList<>();
    private List<Map<String, Object>> media = new ArrayList<>();
    private long mediaChars;
    private RunHandle run;
    private double lastWallTime = Double.NaN;

    /** {@code files}: the event files of the run's directory, in name order. */
    RunImport(String key, String name, List<Path> files, ImportSink sink) {
        this.key = key;
        this.name = name;
        this.files = files;
        this.sink = sink;
    }

    void read() throws IOException {
        run = sink.run(describe());
        for (Path file : files) {
            try (TfRecordReader records = new TfRecordReader(file)) {
                while (records.next()) {
                    Event event;
                    try {
                        event = Event.parser().parseFrom(records.data(), 0, records.length());
                    } catch (InvalidProtocolBufferException e) {
                        sink.unmapped(lostRest(file, records.lastRecord() + " is not a TensorBoard event"));
                        break;
                    }
                    add(event);
                }
            } catch (CorruptRecordException e) {
                sink.unmapped(lostRest(file, e.getMessage()));
            }
        }
        flushPoints();
        flushLines();
        flushMedia();
        unmapped.forEach((kind, count) -> sink.unmapped(count.message(name, kind)));
        sink.finish(run, RunStatus.COMPLETED, Double.isNaN(lastWallTime) ? null : instant(lastWallTime));
    }

    /** The first pass; a corrupt record ends it quietly (the second pass reports it). */
    private ImportedRun describe() throws IOException {
        Map<String, Object> hyperparameters = new TreeMap<>();
        Instant startedAt = null;
        for (Path file : files) {
            try (TfRecordReader records = new TfRecordReader(file)) {
                while (records.next()) {
                    Event event = Event.parser().parseFrom(records.data(), 0, records.length());
                    if (startedAt == null) {
                        startedAt = instant(event.getWallTime());
                    }
                    for (Summary.Value value : event.getSummary().getValueList()) {
                        SummaryMetadata.PluginData plugin = value.getMetadata().getPluginData();
                        if (plugin.getPluginName().equals("hparams")) {
                            hparams(plugin).getSessionStartInfo().getHparamsMap()
                                    .forEach((hparam, setting) -> hyperparameters.put(hparam, json(setting)));
                        }
                    }
                }
            } catch (CorruptRecordException | InvalidProtocolBufferException e) {
                // The rest of this file is left to the second pass, which reports it.
            }
        }
        return new ImportedRun(key, null, name, hyperparameters, List.of(), null, startedAt);
    }

    private void add(Event event) {
        double wallTime = event.getWallTime();
        if (Double.isNaN(lastWallTime) || wallTime > lastWallTime) {
            lastWallTime = wallTime;
        }
        switch (event.getWhatCase()) {
            case SUMMARY -> {
                for (Summary.Value value : event.getSummary().getValueList()) {
                    add(value, event.getStep(), wallTime);
                }
            }
            case GRAPH_DEF -> notImported(GRAPH, null);
            case META_GRAPH_DEF -> notImported(META_GRAPH, null);
            case TAGGED_RUN_METADATA -> notImported(RUN_METADATA, null);
            case SESSION_LOG -> notImported(SESSION_LOG, null);
            case LOG_MESSAGE -> notImported(LOG_MESSAGE, null);
            case FILE_VERSION, WHAT_NOT_SET -> {
                // The file's first event, or an event with only a time.
            }
        }
    }

    private void add(Summary.Value value, long step, double wallTime) {
        Tag tag = tags.get(value.getTag());
        if (tag == null) {
            tag = new Tag(value.getTag());
            tags.put(tag.name, tag);
        }
        if (tag.plugin == null && value.hasMetadata()) {
            tag.learn(value.getMetadata().getPluginData());
        }
        switch (value.getValueCase()) {
            case SIMPLE_VALUE -> point(tag, step, wallTime, value.getSimpleValue());
            case IMAGE -> image(tag, step, value.getImage().getEncodedImageString());
            case HISTO -> histogram(tag, step, TensorBoardHistograms.of(value.getHisto()));
            case OBSOLETE_OLD_STYLE_HISTOGRAM -> notImported(OLD_HISTOGRAM, tag);
            case AUDIO -> notImported(AUDIO, tag);
            case TENSOR, VALUE_NOT_SET -> {
                if ("scalars".equals(tag.plugin)) {
                    Double number = TensorValues.number(value.getTensor());
                    if (number == null) {
                        notImported(NOT_A_NUMBER, tag);
                    } else {
                        point(tag, step, wallTime, number);
                    }
                } else if ("text".equals(tag.plugin)) {
                    text(tag, step, wallTime, TensorValues.strings(value.getTensor()));
                } else if ("images".equals(tag.plugin)) {
                    images(tag, step, value.getTensor());
                } else if ("histograms".equals(tag.plugin)) {
                    histogram(tag, step, TensorBoardHistograms.of(TensorValues.numbers(value.getTensor())));
                } else if (tag.unmapped != null) {
                    notImported(tag.unmapped, tag);
                }
            }
        }
    }

    /** A point; the sink leaves out and reports those logMetrics would refuse (a negative step, a long name). */
    private void point(Tag tag, long step, double wallTime, double value) {
        points.add(new MetricPointInput(tag.name, null, step, value, time(wallTime)));
        if (points.size() == POINTS_PER_CALL) {
            flushPoints();
        }
    }

    /**
     * A text summary as a TEXT media item (markdown, as TensorBoard shows it) and as console lines, the first of
     * which says its tag and step.
     */
    private void text(Tag tag, long step, double wallTime, List<String> strings) {
        Instant time = instant(wallTime);
        String content = String.join("\n", strings);
        media(tag, step, "text", Map.of("content", content, "format", "MARKDOWN"), content.length());
        String[] textLines = content.split("\r?\n", -1);
        lines.add(new ImportedLine(tag.name + " (step " + step + "): " + textLines[0], time));
        for (int i = 1; i < textLines.length; i++) {
            lines.add(new ImportedLine(textLines[i], time));
        }
        if (lines.size() >= LINES_PER_CALL) {
            flushLines();
        }
    }

    /** The images plugin's strings: the width, the height, then one encoded image per item. */
    private void images(Tag tag, long step, TensorProto tensor) {
        List<ByteString> strings = tensor.getStringValList();
        if (tensor.getDtype() != DataType.DT_STRING || strings.size() < 2) {
            notImported(NOT_IMAGES, tag);
            return;
        }
        for (ByteString image : strings.subList(2, strings.size())) {
            image(tag, step, image);
        }
    }

    private void image(Tag tag, long step, ByteString encoded) {
        String data = Base64.getEncoder().encodeToString(encoded.toByteArray());
        media(tag, step, "image", Map.of("data", data), data.length());
    }

    private void histogram(Tag tag, long step, TensorBoardHistograms.Bins bins) {
        if (bins == null) {
            notImported(EMPTY_HISTOGRAM, tag);
        } else {
            media(tag, step, "histogram", Map.of("edges", bins.edges(), "counts", bins.counts()), 0);
        }
    }

    /** An item as logMedia takes it; the sink leaves out and reports those logMedia refuses. */
    private void media(Tag tag, long step, String kind, Map<String, Object> input, long chars) {
        media.add(Map.of("name", tag.name, "step", step, kind, input));
        mediaChars += chars;
        if (media.size() == MEDIA_PER_CALL || mediaChars >= MEDIA_CHARS_PER_CALL) {
            flushMedia();
        }
    }

    private void flushMedia() {
        if (!media.isEmpty()) {
            sink.media(run, media);
            media = new ArrayList<>();
            mediaChars = 0;
        }
    }

    private void flushPoints() {
        if (!points.isEmpty()) {
            sink.points(run, points);
            points = new ArrayList<>(POINTS_PER_CALL);
        }
    }

    private void flushLines() {
        if (!lines.isEmpty()) {
            sink.console(run, lines);
            lines = new ArrayList<>();
        }
    }

    private void notImported(Kind kind, Tag tag) {
        unmapped.computeIfAbsent(kind, k -> new Unmapped()).add(tag);
    }

    private String lostRest(Path file, String what) {
        return "run " + name + ": " + file.getFileName() + ": " + what + "; the rest of the file is not imported";
    }

    /** Seconds since the epoch to the microsecond, as Trackstack keeps times; null when out of any sensible range. */
    private static Instant instant(double seconds) {
        if (!(seconds >= 0 && seconds < 253_402_300_800.0)) {
            return null;
        }
        long micros = Math.round(seconds * 1e6);
        return Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1_000);
    }

    private static OffsetDateTime time(double seconds) {
        Instant instant = instant(seconds);
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The content of an hparams summary; an empty one when it does not parse. */
    private static HParamsPluginData hparams(SummaryMetadata.PluginData data) {
        try {
            return HParamsPluginData.parseFrom(data.getContent());
        } catch (InvalidProtocolBufferException e) {
            return HParamsPluginData.getDefaultInstance();
        }
    }

    /** A hyperparameter as JSON; a whole number stays whole (the hparams plugin keeps every number as a double). */
    private static Object json(Value value) {
        return switch (value.getKindCase()) {
            case NUMBER_VALUE -> {
                double number = value.getNumberValue();
                yield number == Math.rint(number) && Math.abs(number) < 1e15 ? (Object) (long) number : number;
            }
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case LIST_VALUE -> value.getListValue().getValuesList().stream().map(RunImport::json).toList();
            case STRUCT_VALUE -> {
                Map<String, Object> struct = new TreeMap<>();
                value.getStructValue().getFieldsMap().forEach((field, v) -> struct.put(field, json(v)));
                yield struct;
            }
            case NULL_VALUE, KIND_NOT_SET -> null;
        };
    }

    /** A tag of the run and the plugin its first metadata named (writers send metadata with a tag's first value). */
    private static final class Tag {

        final String name;
        String plugin;
        Kind unmapped = TENSOR;

        Tag(String name) {
            this.name = name;
        }

        void learn(SummaryMetadata.PluginData data) {
            plugin = data.getPluginName();
            unmapped = switch (plugin) {
                case "scalars", "text", "images", "histograms" -> null;
                case "hparams" -> switch (hparams(data).getDataCase()) {
                    case SESSION_START_INFO -> null; // the run's hyperparameters, from the first pass
                    case EXPERIMENT -> HPARAMS_EXPERIMENT;
                    case SESSION_END_INFO -> HPARAMS_SESSION_END;
                    case DATA_NOT_SET -> Kind.summaries("unreadable hparams");
                };
                case "audio" -> AUDIO;
                case "" -> TENSOR;
                default -> Kind.summaries(plugin);
            };
        }
    }

    /** A kind of data not imported, in the singular and the plural. */
    private record Kind(String one, String many) {

        static Kind summaries(String what) {
            return new Kind(what + " summary", what + " summaries");
        }

        static Kind events(String what) {
            return new Kind(what + " event", what + " events");
        }
    }

    /** How many of a kind were not imported, and under which tags. */
    private static final class Unmapped {

        long count;
        final Set<String> tags = new LinkedHashSet<>();

        void add(Tag tag) {
            count++;
            if (tag != null) {
                tags.add(tag.name);
            }
        }

        String message(String run, Kind kind) {
            String message = "run " + run + ": " + count + " " + (count == 1 ? kind.one() : kind.many());
            if (tags.size() == 1) {
                message += " (tag " + tags.iterator().next() + ")";
            } else if (tags.size() > 1) {
                List<String> shown = tags.stream().limit(3).toList();
                message += " (" + tags.size() + " tags: " + String.join(", ", shown)
                        + (tags.size() > shown.size() ? ", …" : "") + ")";
            }
            return message + " not imported";
        }
    }
}
