package dev.trackstack.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

import com.google.protobuf.CodedOutputStream;
import tools.jackson.databind.JsonNode;

/**
 * TENSORBOARD_IMPORT: a TensorBoard log directory of runs, each one event file of v1 scalars (4 tags, one Event per
 * value, as tensorboardX and torch.utils.tensorboard write add_scalar), imported through importRuns by the server,
 * timed from the mutation until the job has SUCCEEDED.
 */
final class TensorBoardImport {

    private static final String[] TAGS = {"train/loss", "train/accuracy", "learning_rate", "grad_norm"};
    private static final double START = 1_767_225_600.0;

    private TensorBoardImport() {
    }

    static Map<String, Object> measure(Api api, Path work, int runs, int scalarsPerRun) throws Exception {
        Path logDir = work.resolve("tensorboard");
        long bytes = 0;
        for (int run = 0; run < runs; run++) {
            Path file = logDir.resolve("run-" + run).resolve("events.out.tfevents.1767225600.bench");
            Files.createDirectories(file.getParent());
            bytes += write(file, scalarsPerRun);
        }
        long start = System.nanoTime();
        JsonNode job = api.call("mutation($i: ImportInput!) { importRuns(input: $i) { id } }", Map.of("i",
                Map.of("format", "TENSORBOARD", "source", logDir.toString(), "project", "tensorboard-import")))
                .get("importRuns");
        String id = job.get("id").asString();
        do {
            Thread.sleep(100);
            job = api.call("query($id: ID!) { importJob(id: $id) { state runsRead pointsStored error } }",
                    Map.of("id", id)).get("importJob");
        } while (job.get("state").asString().equals("RUNNING"));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!job.get("state").asString().equals("SUCCEEDED")) {
            throw new IllegalStateException("the TensorBoard import failed: " + job.get("error"));
        }
        long points = job.get("pointsStored").asLong();
        if (points != (long) runs * scalarsPerRun) {
            throw new IllegalStateException("the TensorBoard import stored " + points + " points, not "
                    + (long) runs * scalarsPerRun);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("runs", runs);
        result.put("points", points);
        result.put("event_file_bytes", bytes);
        result.put("seconds", Stats.round(seconds));
        result.put("points_per_s", Math.round(points / seconds));
        Bench.removeTree(logDir);
        return result;
    }

    /** An event file: the file_version event, then the scalars; answers its size. */
    private static long write(Path file, int scalars) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] data = new byte[256];
        long size = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            CodedOutputStream event = CodedOutputStream.newInstance(data);
            event.writeDouble(1, START);
            event.writeString(3, "brain.Event:2");
            size += frame(out, crc, data, event.getTotalBytesWritten());
            for (int i = 0; i < scalars; i++) {
                String tag = TAGS[i % TAGS.length];
                long step = i / TAGS.length;
                float value = (float) (1.0 / (step + 1) + i % TAGS.length);
                int valueSize = CodedOutputStream.computeStringSize(1, tag) + CodedOutputStream.computeFloatSize(2,
                        value);
                int summarySize = CodedOutputStream.computeTagSize(1)
                        + CodedOutputStream.computeUInt32SizeNoTag(valueSize) + valueSize;
                event = CodedOutputStream.newInstance(data);
                event.writeDouble(1, START + step * 0.1 + (i % TAGS.length) * 1e-6);
                event.writeInt64(2, step);
                event.writeTag(5, 2);
                event.writeUInt32NoTag(summarySize);
                event.writeTag(1, 2);
                event.writeUInt32NoTag(valueSize);
                event.writeString(1, tag);
                event.writeFloat(2, value);
                size += frame(out, crc, data, event.getTotalBytesWritten());
            }
        }
        return size;
    }

    /** TFRecord framing: length (uint64 LE), its masked CRC32C, the data, the data's masked CRC32C. */
    private static long frame(OutputStream out, CRC32C crc, byte[] data, int length) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
        header.putInt(masked(crc, header.array(), 8));
        out.write(header.array());
        out.write(data, 0, length);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked(crc, data, length)).array());
        return 12L + length + 4;
    }

    private static int masked(CRC32C crc, byte[] bytes, int length) {
        crc.reset();
        crc.update(bytes, 0, length);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + 0xa282ead8;
    }
}
