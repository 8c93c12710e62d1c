package dev.trackstack.importer.wandb;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The records of a W&B run file (run-&lt;id&gt;.wandb), as wandb's datastore writes them: a 7-byte header (":W&B",
 * 0xBEE1 little-endian, version 0), then LevelDB log framing in 32 KiB blocks counted from the file's start. A chunk is
 * a uint32 LE checksum (CRC-32 IEEE over its type byte and payload, not LevelDB's masked CRC-32C), a uint16 LE length,
 * a type (FULL, or FIRST, MIDDLE..., LAST for a record spanning blocks) and the payload; a block's last 0 to 6 bytes
 * are zero padding.
 */
final class WandbLog implements AutoCloseable {

    static final int BLOCK = 32 * 1024;
    static final int CHUNK_HEADER = 7;
    static final byte[] IDENT = {':', 'W', '&', 'B'};
    static final int MAGIC = 0xBEE1;
    static final int FULL = 1;
    static final int FIRST = 2;
    static final int MIDDLE = 3;
    static final int LAST = 4;

    /** A record that cannot be read: its checksum or framing is wrong, or the file ends inside it. */
    static final class CorruptRecord extends IOException {
        CorruptRecord(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private long offset;

    private WandbLog(InputStream in) {
        this.in = in;
    }

    /** Opens the file and checks its header; a file that is not a W&B run file throws CorruptRecord. */
    static WandbLog open(Path file) throws IOException {
        WandbLog log = new WandbLog(new BufferedInputStream(Files.newInputStream(file), BLOCK));
        try {
            byte[] header = log.read(CHUNK_HEADER);
            ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            if (header.length < CHUNK_HEADER || !Arrays.equals(header, 0, 4, IDENT, 0, 4)
                    || Short.toUnsignedInt(fields.getShort(4)) != MAGIC) {
                throw new CorruptRecord("it does not start with the W&B header (:W&B, 0xBEE1)");
            }
            if (header[6] != 0) {
                throw new CorruptRecord("its format version is " + header[6] + "; this importer reads version 0 (wandb"
                        + " up to 0.30)");
            }
            return log;
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The next record's payload, or null at the end of the file. */
    byte[] next() throws IOException {
        ByteArrayOutputStream spanning = null;
        long recordStart = offset;
        while (true) {
            int left = BLOCK - (int) (offset % BLOCK);
            if (left < CHUNK_HEADER) {
                read(left); // the block's zero padding
                continue;
            }
            long start = offset;
            if (spanning == null) {
                recordStart = start;
            }
            byte[] header = read(CHUNK_HEADER);
            if (header.length == 0 && spanning == null) {
                return null;
            }
            if (header.length < CHUNK_HEADER) {
                throw new CorruptRecord("the file ends inside the record at byte " + recordStart);
            }
            ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            long checksum = Integer.toUnsignedLong(fields.getInt(0));
            int length = Short.toUnsignedInt(fields.getShort(4));
            int type = header[6];
            if (checksum == 0 && length == 0 && type == 0 && spanning == null) {
                read(left - CHUNK_HEADER); // a zero-filled rest of a block, as a crash may leave: no record in it
                continue;
            }
            if (CHUNK_HEADER + length > left) {
                throw new CorruptRecord("the chunk at byte " + start + " is longer than its block");
            }
            byte[] payload = read(length);
            if (payload.length < length) {
                throw new CorruptRecord("the file ends inside the record at byte " + recordStart);
            }
            CRC32 crc = new CRC32();
            crc.update(type);
            crc.update(payload);
            if (crc.getValue() != checksum) {
                throw new CorruptRecord("the record at byte " + recordStart + " fails its checksum");
            }
            boolean inRecord = spanning != null;
            switch (type) {
                case FULL, FIRST -> {
                    if (inRecord) {
                        throw new CorruptRecord("the record at byte " + recordStart + " has no last chunk");
                    }
                    if (type == FULL) {
                        return payload;
                    }
                    spanning = new ByteArrayOutputStream(2 * length);
                    spanning.write(payload);
                }
                case MIDDLE, LAST -> {
                    if (!inRecord) {
                        throw new CorruptRecord("the chunk at byte " + start + " continues no record");
                    }
                    spanning.write(payload);
                    if (type == LAST) {
                        return spanning.toByteArray();
                    }
                }
                default -> throw new CorruptRecord("the chunk at byte " + start + " has the unknown type " + type);
            }
        }
    }

    private byte[] read(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        offset += bytes.length;
        return bytes;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
