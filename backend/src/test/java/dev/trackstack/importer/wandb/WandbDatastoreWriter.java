package dev.trackstack.importer.wandb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import dev.trackstack.importer.wandb.proto.Record;

/**
 * A test fixture writer of W&B run files as wandb's datastore (wandb/sdk/internal/datastore.py) documents and writes
 * them: the header ":W&B", magic 0xBEE1 (uint16 LE), version 0; then LevelDB log chunks in 32 KiB blocks counted from
 * the file's start, each a uint32 LE CRC-32 (zlib's) of its type byte and payload, a uint16 LE length and the type;
 * a record too long for the rest of its block is split FIRST, MIDDLE..., LAST; less than 7 bytes left are zero padding.
 */
final class WandbDatastoreWriter {

    private static final int BLOCK = 32768;
    private static final int HEADER = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    WandbDatastoreWriter() {
        out.writeBytes(new byte[] {':', 'W', '&', 'B', (byte) 0xE1, (byte) 0xBE, 0});
    }

    WandbDatastoreWriter write(Record record) {
        return write(record.toByteArray());
    }

    /** Writes a payload as datastore.py's _write_data does. */
    WandbDatastoreWriter write(byte[] data) {
        int spaceLeft = BLOCK - out.size() % BLOCK;
        if (spaceLeft < HEADER) {
            out.writeBytes(new byte[spaceLeft]);
            spaceLeft = BLOCK;
        }
        if (data.length + HEADER <= spaceLeft) {
            chunk(data, 0, data.length, WandbLog.FULL);
            return this;
        }
        int used = spaceLeft - HEADER;
        chunk(data, 0, used, WandbLog.FIRST);
        while (data.length - used > BLOCK - HEADER) {
            chunk(data, used, BLOCK - HEADER, WandbLog.MIDDLE);
            used += BLOCK - HEADER;
        }
        chunk(data, used, data.length - used, WandbLog.LAST);
        return this;
    }

    /** Bytes as they are, e.g. a zero-filled tail. */
    WandbDatastoreWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, out.toByteArray());
    }

    private void chunk(byte[] data, int offset, int length, int type) {
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data, offset, length);
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt((int) crc.getValue()).putShort((short) length).put((byte) type);
        out.writeBytes(header.array());
        out.write(data, offset, length);
    }
}
