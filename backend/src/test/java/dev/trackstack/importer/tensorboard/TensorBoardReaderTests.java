package dev.trackstack.importer.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import com.google.protobuf.Value;

import dev.trackstack.importer.ImportException;
import dev.trackstack.importer.ImportSink.ImportedLine;
import dev.trackstack.importer.ImportSource;
import dev.trackstack.media.MediaFixtures;
import dev.trackstack.importer.tensorboard.proto.DataType;
import dev.trackstack.importer.tensorboard.proto.Event;
import dev.trackstack.importer.tensorboard.proto.HistogramProto;
import dev.trackstack.importer.tensorboard.proto.HParamsPluginData;
import dev.trackstack.importer.tensorboard.proto.SessionStartInfo;
import dev.trackstack.importer.tensorboard.proto.Summary;
import dev.trackstack.importer.tensorboard.proto.SummaryMetadata;
import dev.trackstack.importer.tensorboard.proto.TensorProto;
import dev.trackstack.metric.MetricPointInput;
import dev.trackstack.run.RunStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorBoard reader on event files written here as TensorFlow's event.proto and summary.proto define them, in
 * TFRecord framing ({@link TfRecordWriter}), into a collecting sink.
 */
class TensorBoardReaderTests {

    /** 2026-01-01T00:00:00.123456Z: a double keeps microseconds at this magnitude. */
    private static final double T0 = 1_767_225_600.123456;

    @TempDir
    Path logDir;

    private final TensorBoardReader reader = new TensorBoardReader();
    private final CollectingSink sink = new CollectingSink();

    @Test
    void shouldMapEachDirectoryWithEventFilesToARunOfItsV1Scalars() throws IOException {
        new TfRecordWriter().write(fileVersion(T0)).write(v1(T0 + 1, 0, "loss", 0.5f))
                .writeTo(logDir.resolve("events.out.tfevents.1767225600.host"));
        // Two files of one run, read in name order whatever order they were written in.
        new TfRecordWriter().write(fileVersion(T0 + 100)).write(v1(T0 + 101, 2, "loss", 0.25f))
                .writeTo(logDir.resolve("train/seed1/events.out.tfevents.1767225700.host"));
        new TfRecordWriter().write(fileVersion(T0 + 10)).write(v1(T0 + 11, 0, "loss", 1f))
                .write(v1(T0 + 12.000001, 1, "loss", 0.75f)).write(v1(T0 + 12.000001, 1, "acc", 0.125f))
                .writeTo(logDir.resolve("train/seed1/events.out.tfevents.1767225610.host"));
        Files.writeString(logDir.resolve("train/notes.txt"), "not an event file");
        Files.createDirectories(logDir.resolve("empty"));

        read();

        assertThat(sink.runs).extracting(run -> run.run.key(), run -> run.run.name(), run -> run.run.project())
                .containsExactly(tuple(".", logDir.getFileName().toString(), null),
                        tuple("train/seed1", "train/seed1", null));
        CollectingSink.Collected seed1 = sink.run("train/seed1");
        assertThat(seed1.run.startedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:10.123456Z"));
        assertThat(seed1.points).containsExactly(point("loss", 0, 1.0, T0 + 11), point("loss", 1, 0.75, T0 + 12.000001),
                point("acc", 1, 0.125, T0 + 12.000001), point("loss", 2, 0.25, T0 + 101));
        assertThat(seed1.points.get(1).time()).isEqualTo(OffsetDateTime.parse("2026-01-01T00:00:12.123457Z"));
        assertThat(seed1.status).isEqualTo(RunStatus.COMPLETED);
        assertThat(seed1.endedAt).isEqualTo(Instant.parse("2026-01-01T00:01:41.123456Z"));
        assertThat(seed1.run.hyperparameters()).isEmpty();
        assertThat(sink.run(".").points).containsExactly(point("loss", 0, 0.5, T0 + 1));
        assertThat(sink.unmapped).isEmpty();
    }

    @Test
    void shouldReadV2ScalarsOfEachNumericDtypeWithTheirPluginNamedOnTheFirstValueOnly() throws IOException {
        new TfRecordWriter().write(fileVersion(T0))
                .write(v2(T0, 0, "loss", true, tensor(DataType.DT_FLOAT).setTensorContent(le(4, Float.floatToIntBits(
                        1.5f)))))
                .write(v2(T0, 1, "loss", false, tensor(DataType.DT_FLOAT).addFloatVal(0.25f)))
                .write(v2(T0, 0, "lr", true, tensor(DataType.DT_DOUBLE).addDoubleVal(0.001)))
                .write(v2(T0, 1, "lr", false, tensor(DataType.DT_DOUBLE).setTensorContent(le(8,
                        Double.doubleToLongBits(0.0005)))))
                .write(v2(T0, 0, "tokens", true, tensor(DataType.DT_INT64).addInt64Val(1L << 40)))
                .write(v2(T0, 0, "epoch", true, tensor(DataType.DT_INT32).setTensorContent(le(4, -3))))
                .write(v2(T0, 0, "half", true, tensor(DataType.DT_HALF).addHalfVal(0x3c00)))
                .write(v2(T0, 1, "half", false, tensor(DataType.DT_HALF).setTensorContent(le(2, 0xc500))))
                .write(v2(T0, 0, "pair", true, tensor(DataType.DT_FLOAT).addFloatVal(1).addFloatVal(2)))
                .writeTo(logDir.resolve("events.out.tfevents.1.host"));

        read();

        assertThat(sink.run(".").points).extracting(MetricPointInput::name, MetricPointInput::step,
                MetricPointInput::value).containsExactly(tuple("loss", 0L, 1.5), tuple("loss", 1L, 0.25),
                tuple("lr", 0L, 0.001), tuple("lr", 1L, 0.0005), tuple("tokens", 0L, (double) (1L << 40)),
                tuple("epoch", 0L, -3.0), tuple("half", 0L, 1.0), tuple("half", 1L, -5.0));
        assertThat(sink.unmapped).containsExactly(
                "run " + logDir.getFileName() + ": 1 scalar summary that is not one number (tag pair) not imported");
    }

    @Test
    void shouldTakeHyperparametersFromTheSessionStartInfoWhereverItComes() throws IOException {
        new TfRecordWriter().write(fileVersion(T0)).write(v1(T0 + 1, 0, "hparam/acc", 0.5f))
                .writeTo(logDir.resolve("lr/events.out.tfevents.1.host"));
        HParamsPluginData start = HParamsPluginData.newBuilder().setVersion(0).setSessionStartInfo(
                SessionStartInfo.newBuilder().putHparams("lr", Value.newBuilder().setNumberValue(0.01).build())
                        .putHparams("bsize", Value.newBuilder().setNumberValue(32).build())
                        .putHparams("optimizer", Value.newBuilder().setStringValue("adam").build())
                        .putHparams("amp", Value.newBuilder().setBoolValue(true).build())).build();
        new TfRecordWriter().write(fileVersion(T0 + 2))
                .write(hparams(T0 + 2, "_hparams_/experiment", HParamsPluginData.newBuilder()
                        .setExperiment(ByteString.copyFromUtf8("\n\u0002lr")).build()))
                .write(hparams(T0 + 2, "_hparams_/session_start_info", start))
                .write(hparams(T0 + 2, "_hparams_/session_end_info", HParamsPluginData.newBuilder()
                        .setSessionEndInfo(ByteString.copyFrom(new byte[] {8, 1})).build()))
                .writeTo(logDir.resolve("lr/events.out.tfevents.2.host"));

        read();

        CollectingSink.Collected run = sink.run("lr");
        assertThat(run.run.hyperparameters()).isEqualTo(Map.of("lr", 0.01, "bsize", 32L, "optimizer", "adam",
                "amp", true));
        assertThat(run.points).containsExactly(point("hparam/acc", 0, 0.5, T0 + 1));
        assertThat(sink.unmapped).containsExactly(
                "run lr: 1 hparams experiment summary (tag _hparams_/experiment) not imported",
                "run lr: 1 hparams session end summary (tag _hparams_/session_end_info) not imported");
    }

    @Test
    void shouldWriteTextSummariesAsConsoleLinesWithTheirTagAndStep() throws IOException {
        SummaryMetadata text = metadata("text", ByteString.EMPTY);
        new TfRecordWriter().write(fileVersion(T0))
                .write(summary(T0 + 1, 3, Summary.Value.newBuilder().setTag("notes/text_summary").setMetadata(text)
                        .setTensor(tensor(DataType.DT_STRING).addStringVal(ByteString.copyFromUtf8("héllo")))))
                .write(summary(T0 + 2, 4, Summary.Value.newBuilder().setTag("notes/text_summary")
                        .setTensor(tensor(DataType.DT_STRING).addStringVal(ByteString.copyFromUtf8("a\r\nb\nc")))))
                .writeTo(logDir.resolve("events.out.tfevents.1.host"));

        read();

        Instant t1 = Instant.parse("2026-01-01T00:00:01.123456Z");
        Instant t2 = Instant.parse("2026-01-01T00:00:02.123456Z");
        assertThat(sink.run(".").lines).containsExactly(new ImportedLine("notes/text_summary (step 3): héllo", t1),
                new ImportedLine("notes/text_summary (step 4): a", t2), new ImportedLine("b", t2),
                new ImportedLine("c", t2));
        assertThat(sink.run(".").points).isEmpty();
        assertThat(sink.run(".").media).containsExactly(
                Map.of("name", "notes/text_summary", "step", 3L, "text", Map.of("content", "héllo", "format", "MARKDOWN")),
                Map.of("name", "notes/text_summary", "step", 4L, "text", Map.of("content", "a\r\nb\nc",
                        "format", "MARKDOWN")));
        assertThat(sink.unmapped).isEmpty();
    }

    @Test
    void shouldReportWhatItDoesNotImportOncePerRunAndKindWithACount() throws IOException {
        TfRecordWriter events = new TfRecordWriter().write(fileVersion(T0));
        for (int step = 0; step < 12; step++) {
            events.write(summary(T0, step, Summary.Value.newBuilder().setTag("weights/fc1")
                    .setHisto(HistogramProto.newBuilder().setNum(0))));
        }
        events.write(summary(T0, 0, Summary.Value.newBuilder().setTag("voice").setAudio(ByteString.EMPTY)))
                .write(v2(T0, 0, "pr", true, tensor(DataType.DT_FLOAT).addFloatVal(1), "pr_curves"))
                .write(v2(T0, 1, "pr", false, tensor(DataType.DT_FLOAT).addFloatVal(1), "pr_curves"))
                // A v2 histograms plugin's summary that is not [k, 3] counts with the v1 histograms.
                .write(v2(T0, 0, "grads", true, tensor(DataType.DT_FLOAT).addFloatVal(1), "histograms"))
                .write(summary(T0, 0, Summary.Value.newBuilder().setTag("raw").setTensor(tensor(DataType.DT_FLOAT)
                        .addFloatVal(1))))
                .write(Event.newBuilder().setWallTime(T0).setGraphDef(ByteString.copyFromUtf8("graph")).build())
                .write(Event.newBuilder().setWallTime(T0).setSessionLog(ByteString.copyFrom(new byte[] {8, 1}))
                        .build())
                .write(v1(T0, 0, "loss", 1f))
                .writeTo(logDir.resolve("train/events.out.tfevents.1.host"));

        read();

        assertThat(sink.run("train").points).containsExactly(point("loss", 0, 1.0, T0));
        assertThat(sink.unmapped).containsExactly(
                "run train: 13 empty or unreadable histogram summaries (2 tags: weights/fc1, grads) not imported",
                "run train: 1 audio summary (tag voice) not imported",
                "run train: 2 pr_curves summaries (tag pr) not imported",
                "run train: 1 tensor summary (tag raw) not imported",
                "run train: 1 graph event not imported",
                "run train: 1 session log event not imported");
    }

    @Test
    void shouldReadImagesAndHistogramsOfBothFormatsAsMedia() throws IOException {
        byte[] png = MediaFixtures.png(3, 2, 1);
        byte[] other = MediaFixtures.png(3, 2, 2);
        new TfRecordWriter().write(fileVersion(T0))
                // v1 (tensorboardX, torch.utils.tensorboard): an encoded image, a HistogramProto.
                .write(summary(T0, 1, Summary.Value.newBuilder().setTag("samples").setImage(Summary.Image.newBuilder()
                        .setWidth(3).setHeight(2).setColorspace(4).setEncodedImageString(ByteString.copyFrom(png)))))
                .write(summary(T0, 1, Summary.Value.newBuilder().setTag("weights").setHisto(HistogramProto.newBuilder()
                        .setMin(-1.5).setMax(2).setNum(6).addAllBucketLimit(List.of(-2.0, -1.0, 0.0, 1.0, 1.7976931348623157e308))
                        .addAllBucket(List.of(0.0, 1.0, 3.0, 0.0, 2.0)))))
                // v2 (tf.summary): the images plugin's [width, height, images…], the histograms plugin's [k, 3].
                .write(summary(T0, 2, Summary.Value.newBuilder().setTag("generated").setMetadata(
                        metadata("images", ByteString.EMPTY)).setTensor(tensor(DataType.DT_STRING)
                        .addStringVal(ByteString.copyFromUtf8("3")).addStringVal(ByteString.copyFromUtf8("2"))
                        .addStringVal(ByteString.copyFrom(png)).addStringVal(ByteString.copyFrom(other)))))
                .write(v2(T0, 2, "grads", true, tensor(DataType.DT_DOUBLE).addAllDoubleVal(List.of(0.0, 0.5, 4.0,
                        0.5, 1.0, 1.0)), "histograms"))
                .writeTo(logDir.resolve("events.out.tfevents.1.host"));

        read();

        String data = Base64.getEncoder().encodeToString(png);
        assertThat(sink.run(".").media).containsExactly(
                Map.of("name", "samples", "step", 1L, "image", Map.of("data", data)),
                // The first bucket is empty and goes; the last runs to max, not to the largest double.
                Map.of("name", "weights", "step", 1L, "histogram", Map.of("edges", List.of(-2.0, -1.0, 0.0, 1.0, 2.0),
                        "counts", List.of(1.0, 3.0, 0.0, 2.0))),
                Map.of("name", "generated", "step", 2L, "image", Map.of("data", data)),
                Map.of("name", "generated", "step", 2L, "image", Map.of("data",
                        Base64.getEncoder().encodeToString(other))),
                Map.of("name", "grads", "step", 2L, "histogram", Map.of("edges", List.of(0.0, 0.5, 1.0),
                        "counts", List.of(4.0, 1.0))));
        assertThat(sink.unmapped).isEmpty();
    }

    @Test
    void shouldGiveHistogramsOfOneValueAndOfManyBucketsBinsLogMediaTakes() {
        // TensorFlow 2 writes one bucket of no width for a single value; v1 writes min = max = the limit.
        assertThat(TensorBoardHistograms.of(new double[] {3, 3, 5})).isEqualTo(new TensorBoardHistograms.Bins(
                List.of(2.5, 3.5), List.of(5.0)));
        assertThat(TensorBoardHistograms.of(HistogramProto.newBuilder().setMin(1).setMax(1).addBucketLimit(1)
                .addBucket(4).build())).isEqualTo(new TensorBoardHistograms.Bins(List.of(0.5, 1.5), List.of(4.0)));
        // A bucket of no width inside joins the one before.
        assertThat(TensorBoardHistograms.of(new double[] {0, 1, 1, 1, 1, 2, 1, 2, 3})).isEqualTo(
                new TensorBoardHistograms.Bins(List.of(0.0, 1.0, 2.0), List.of(3.0, 3.0)));
        double[] many = new double[3 * 3000];
        for (int i = 0; i < 3000; i++) {
            many[3 * i] = i;
            many[3 * i + 1] = i + 1;
            many[3 * i + 2] = 1;
        }
        TensorBoardHistograms.Bins merged = TensorBoardHistograms.of(many);
        assertThat(merged.counts()).hasSize(750).allMatch(count -> count == 4.0);
        assertThat(merged.edges()).hasSize(751).startsWith(0.0, 4.0).endsWith(3000.0);
        assertThat(TensorBoardHistograms.of(new double[] {0, 1, 0})).isNull();
        assertThat(TensorBoardHistograms.of(new double[] {0, 1})).isNull();
    }

    @Test
    void shouldStopAFileAtACrcMismatchReportItAndReadTheNextFile() throws IOException {
        byte[] first = new TfRecordWriter().write(fileVersion(T0)).bytes();
        byte[] file = new TfRecordWriter().write(fileVersion(T0)).write(v1(T0, 0, "loss", 1f))
                .write(v1(T0, 1, "loss", 2f)).write(v1(T0, 2, "loss", 3f)).bytes();
        int secondPoint = first.length + new TfRecordWriter().write(v1(T0, 0, "loss", 1f)).bytes().length;
        byte[] dataCorrupt = file.clone();
        dataCorrupt[secondPoint + 12 + 3] ^= 1;
        Files.createDirectories(logDir.resolve("data"));
        Files.write(logDir.resolve("data/events.out.tfevents.1.host"), dataCorrupt);
        new TfRecordWriter().write(v1(T0, 5, "loss", 6f)).writeTo(logDir.resolve("data/events.out.tfevents.2.host"));
        byte[] lengthCorrupt = file.clone();
        lengthCorrupt[secondPoint + 9] ^= 1;
        Files.createDirectories(logDir.resolve("length"));
        Files.write(logDir.resolve("length/events.out.tfevents.1.host"), lengthCorrupt);

        read();

        assertThat(sink.run("data").points).extracting(MetricPointInput::step).containsExactly(0L, 5L);
        assertThat(sink.run("length").points).extracting(MetricPointInput::step).containsExactly(0L);
        assertThat(sink.unmapped).containsExactly(
                "run data: events.out.tfevents.1.host: record 3 at byte " + secondPoint + " does not match the CRC of"
                        + " its data; the rest of the file is not imported",
                "run length: events.out.tfevents.1.host: record 3 at byte " + secondPoint + " does not match the CRC"
                        + " of its length; the rest of the file is not imported");
    }

    @Test
    void shouldEndAFileQuietlyAtALastRecordCutShortWhereverItIsCut() throws IOException {
        byte[] whole = new TfRecordWriter().write(fileVersion(T0)).write(v1(T0, 0, "loss", 1f)).bytes();
        byte[] last = new TfRecordWriter().write(v1(T0, 1, "loss", 2f)).bytes();
        for (int cut = 1; cut < last.length; cut++) {
            Path file = logDir.resolve("cut" + cut + "/events.out.tfevents.1.host");
            Files.createDirectories(file.getParent());
            byte[] torn = Arrays.copyOf(whole, whole.length + cut);
            System.arraycopy(last, 0, torn, whole.length, cut);
            Files.write(file, torn);
        }

        read();

        assertThat(sink.runs).hasSize(last.length - 1).allSatisfy(run -> {
            assertThat(run.points).as(run.run.key()).extracting(MetricPointInput::step).containsExactly(0L);
            assertThat(run.status).isEqualTo(RunStatus.COMPLETED);
        });
        assertThat(sink.unmapped).isEmpty();
    }

    @Test
    void shouldHandPointsToTheSinkInCallsOfAtMostTenThousand() throws IOException {
        TfRecordWriter events = new TfRecordWriter().write(fileVersion(T0));
        for (int step = 0; step < 25_001; step++) {
            events.write(v1(T0 + step, step, "loss", step));
        }
        events.writeTo(logDir.resolve("events.out.tfevents.1.host"));

        read();

        assertThat(sink.pointCalls).containsExactly(10_000, 10_000, 5_001);
        assertThat(sink.run(".").points.get(25_000)).isEqualTo(point("loss", 25_000, 25_000, T0 + 25_000));
    }

    @Test
    void shouldRefuseASourceThatIsNoLogDirectoryWithEventFiles() throws IOException {
        Files.createDirectories(logDir.resolve("empty/sub"));
        Files.writeString(logDir.resolve("empty/sub/events.txt"), "");
        Files.writeString(logDir.resolve("file"), "");

        assertThatThrownBy(() -> read(logDir.resolve("missing"))).isInstanceOf(ImportException.class)
                .hasMessage("There is no log directory " + logDir.resolve("missing") + " on the server's machine");
        assertThatThrownBy(() -> read(logDir.resolve("empty"))).isInstanceOf(ImportException.class)
                .hasMessage("The log directory " + logDir.resolve("empty")
                        + " holds no TensorBoard event file (events.out.tfevents.*)");
        assertThatThrownBy(() -> read(logDir.resolve("file"))).isInstanceOf(ImportException.class)
                .hasMessage(logDir.resolve("file") + " is not a directory: a TensorBoard import reads a log directory");
        assertThatThrownBy(() -> reader.read(new ImportSource("http://tensorboard:6006", null), sink))
                .isInstanceOf(ImportException.class).hasMessageContaining("not a URL");
        assertThat(sink.runs).isEmpty();
    }

    @Test
    void shouldFrameRecordsWithTheMaskedCrc32cOfTfRecord() {
        // CRC-32C("123456789") = 0xe3069283, the check value of the Castagnoli polynomial.
        int crc = 0xe3069283;
        assertThat(TfRecordWriter.maskedCrc32c("123456789".getBytes()))
                .isEqualTo(((crc >>> 15) | (crc << 17)) + 0xa282ead8);
    }

    private void read() throws IOException {
        read(logDir);
    }

    private void read(Path dir) throws IOException {
        reader.read(new ImportSource(dir.toString(), null), sink);
    }

    private static MetricPointInput point(String name, long step, double value, double wallTime) {
        long micros = Math.round(wallTime * 1e6);
        return new MetricPointInput(name, null, step, value, OffsetDateTime.ofInstant(
                Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1_000), ZoneOffset.UTC));
    }

    private static Event fileVersion(double wallTime) {
        return Event.newBuilder().setWallTime(wallTime).setFileVersion("brain.Event:2").build();
    }

    private static Event v1(double wallTime, long step, String tag, float value) {
        return summary(wallTime, step, Summary.Value.newBuilder().setTag(tag).setSimpleValue(value));
    }

    private static Event v2(double wallTime, long step, String tag, boolean withMetadata, TensorProto.Builder tensor) {
        return v2(wallTime, step, tag, withMetadata, tensor, "scalars");
    }

    private static Event v2(double wallTime, long step, String tag, boolean withMetadata, TensorProto.Builder tensor,
            String plugin) {
        Summary.Value.Builder value = Summary.Value.newBuilder().setTag(tag).setTensor(tensor);
        if (withMetadata) {
            value.setMetadata(metadata(plugin, ByteString.EMPTY));
        }
        return summary(wallTime, step, value);
    }

    private static Event hparams(double wallTime, String tag, HParamsPluginData data) {
        return summary(wallTime, 0, Summary.Value.newBuilder().setTag(tag)
                .setMetadata(metadata("hparams", data.toByteString())));
    }

    private static Event summary(double wallTime, long step, Summary.Value.Builder value) {
        return Event.newBuilder().setWallTime(wallTime).setStep(step)
                .setSummary(Summary.newBuilder().addValue(value)).build();
    }

    private static SummaryMetadata metadata(String plugin, ByteString content) {
        return SummaryMetadata.newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder()
                .setPluginName(plugin).setContent(content)).build();
    }

    private static TensorProto.Builder tensor(DataType dtype) {
        return TensorProto.newBuilder().setDtype(dtype);
    }

    /** The low {@code bytes} bytes of a value, little-endian, as tensor_content holds numbers. */
    private static ByteString le(int bytes, long value) {
        return ByteString.copyFrom(Arrays.copyOf(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value)
                .array(), bytes));
    }
}
