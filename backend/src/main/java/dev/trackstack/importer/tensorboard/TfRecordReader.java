package dev.trackstack.importer.tensorboard;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads the records of a TFRecord file one after the other into one reused buffer. A record is its length (uint64
 * little-endian), the masked CRC32C of those 8 bytes (uint32 LE), the data, and the masked CRC32C of the data. A
 * record cut short by the end of the file is where a writer still writing has got to: it ends the file like a clean
 * end. A CRC that does not match is {@link CorruptRecordException}.
 */
final class TfRecordReader implements Closeable {

    private static final int MASK_DELTA = 0xa282ead8;

    private final InputStream in;
    private final long size;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[12];
    private final ByteBuffer headerView = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] footer = new byte[4];
    private final ByteBuffer footerView = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] data = new byte[4096];
    private int length;
    private long position;
    private long recordStart;
    private long records;

    TfRecordReader(Path file) throws IOException {
        this.size = Files.size(file);
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /** Reads the next record: true when there is one, its bytes in {@link #data()} up to {@link #length()}. */
    boolean next() throws IOException {
        if (in.readNBytes(header, 0, header.length) < header.length) {
            return false;
        }
        if (headerView.getInt(8) != masked(header, 8)) {
            throw corrupt("its length");
        }
        long dataLength = headerView.getLong(0);
        if (dataLength < 0 || dataLength > size - position - header.length - footer.length) {
            // Longer than what is left: the data is still being written.
            return false;
        }
        length = (int) dataLength; // < size, and a record longer than 2 GiB would not fit a protobuf message
        if (data.length < length) {
            data = new byte[Math.max(length, data.length * 2)];
        }
        if (in.readNBytes(data, 0, length) < length || in.readNBytes(footer, 0, 4) < 4) {
            return false;
        }
        if (footerView.getInt(0) != masked(data, length)) {
            throw corrupt("its data");
        }
        recordStart = position;
        position += header.length + length + footer.length;
        records++;
        return true;
    }

    byte[] data() {
        return data;
    }

    int length() {
        return length;
    }

    /** The record last read, for a message: "record 3 at byte 120". */
    String lastRecord() {
        return "record " + records + " at byte " + recordStart;
    }

    /** The masked CRC32C of TFRecord: the CRC rotated right by 15 bits plus a constant. */
    private int masked(byte[] bytes, int length) {
        crc.reset();
        crc.update(bytes, 0, length);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + MASK_DELTA;
    }

    private CorruptRecordException corrupt(String what) {
        return new CorruptRecordException("record " + (records + 1) + " at byte " + position + " does not match the CRC"
                + " of " + what);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A record whose bytes are not what its writer wrote; the rest of the file cannot be trusted to be framed. */
    static final class CorruptRecordException extends IOException {

        CorruptRecordException(String message) {
            super(message);
        }
    }
}
