package dev.trackstack.importer.wandb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The framing of W&B run files, on payloads written by WandbDatastoreWriter (datastore.py's format). */
class WandbLogTest {

    @TempDir
    Path directory;

    @Test
    void readsFullSpanningAndPaddedRecordsInOrder() throws IOException {
        WandbDatastoreWriter writer = new WandbDatastoreWriter();
        byte[] small = filled(10, 1);
        // Leaves 3 bytes in the first block: the next record starts after the zero padding.
        byte[] toPadding = filled(WandbLog.BLOCK - 7 - 7 - small.length - 7 - 3, 2);
        byte[] threeBlocks = filled(2 * WandbLog.BLOCK + 100, 3); // FIRST, MIDDLE, LAST
        byte[] empty = new byte[0];
        writer.write(small).write(toPadding);
        assertThat(writer.size()).isEqualTo(WandbLog.BLOCK - 3);
        writer.write(threeBlocks).write(empty).write(small);

        assertThat(readAll(writer.writeTo(directory.resolve("run-a.wandb"))))
                .containsExactly(small, toPadding, threeBlocks, empty, small);
    }

    @Test
    void skipsTheZeroFilledRestOfABlock() throws IOException {
        WandbDatastoreWriter writer = new WandbDatastoreWriter().write(filled(100, 1));
        writer.raw(new byte[WandbLog.BLOCK - writer.size()]).write(filled(20, 2));

        assertThat(readAll(writer.writeTo(directory.resolve("run-a.wandb")))).containsExactly(filled(100, 1),
                filled(20, 2));
    }

    @Test
    void stopsAtARecordFailingItsChecksum() throws IOException {
        byte[] file = new WandbDatastoreWriter().write(filled(100, 1)).write(filled(50, 2)).bytes();
        file[7 + 7 + 100 + 7 + 10] ^= 1; // a payload byte of the second record
        Path path = Files.write(directory.resolve("run-a.wandb"), file);

        try (WandbLog log = WandbLog.open(path)) {
            assertThat(log.next()).isEqualTo(filled(100, 1));
            assertThatThrownBy(log::next).isInstanceOf(WandbLog.CorruptRecord.class)
                    .hasMessage("the record at byte 114 fails its checksum");
        }
    }

    @Test
    void stopsAtARecordTheFileEndsInside() throws IOException {
        byte[] file = new WandbDatastoreWriter().write(filled(100, 1)).write(filled(WandbLog.BLOCK, 2)).bytes();
        Path path = Files.write(directory.resolve("run-a.wandb"), Arrays.copyOf(file, WandbLog.BLOCK + 50));

        try (WandbLog log = WandbLog.open(path)) {
            assertThat(log.next()).isEqualTo(filled(100, 1));
            assertThatThrownBy(log::next).isInstanceOf(WandbLog.CorruptRecord.class)
                    .hasMessage("the file ends inside the record at byte 114");
        }
    }

    @Test
    void refusesAFileWithoutTheHeaderOrOfAnotherVersion() throws IOException {
        Path other = Files.write(directory.resolve("other.wandb"), "not a run file".getBytes());
        assertThatThrownBy(() -> WandbLog.open(other)).isInstanceOf(WandbLog.CorruptRecord.class)
                .hasMessage("it does not start with the W&B header (:W&B, 0xBEE1)");

        byte[] newer = new WandbDatastoreWriter().bytes();
        newer[6] = 1;
        Path version1 = Files.write(directory.resolve("run-b.wandb"), newer);
        assertThatThrownBy(() -> WandbLog.open(version1)).isInstanceOf(WandbLog.CorruptRecord.class)
                .hasMessage("its format version is 1; this importer reads version 0 (wandb up to 0.30)");
    }

    private static List<byte[]> readAll(Path file) throws IOException {
        List<byte[]> records = new ArrayList<>();
        try (WandbLog log = WandbLog.open(file)) {
            byte[] record;
            while ((record = log.next()) != null) {
                records.add(record);
            }
        }
        return records;
    }

    private static byte[] filled(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }
}
