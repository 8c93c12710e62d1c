package dev.trackstack.trace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rows in PostgreSQL's binary COPY format (the COPY documentation's "Binary Format"): a header, then per row the
 * number of fields and each field as its length (-1 for null) and its value in the type's binary form, big-endian.
 */
final class BinaryCopy {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** PostgreSQL's timestamps count microseconds from 2000-01-01 UTC. */
    private static final long EPOCH_2000_MICROS = 946_684_800_000_000L;
    private static final byte JSONB_VERSION = 1;

    /** The bytes so far, in a growing array of our own (ByteArrayOutputStream locks on every byte). */
    private byte[] buffer = new byte[1 << 16];
    private int size;

    BinaryCopy() {
        write(SIGNATURE);
        int32(0); // flags
        int32(0); // length of the header extension
    }

    void row(int fields) {
        room(2);
        buffer[size++] = (byte) (fields >>> 8);
        buffer[size++] = (byte) fields;
    }

    void int8(Long value) {
        if (value == null) {
            int32(-1);
        } else {
            int32(8);
            int64(value);
        }
    }

    void int4(Integer value) {
        if (value == null) {
            int32(-1);
        } else {
            int32(4);
            int32(value);
        }
    }

    void bool(boolean value) {
        int32(1);
        room(1);
        buffer[size++] = (byte) (value ? 1 : 0);
    }

    void bytes(byte[] value) {
        if (value == null) {
            int32(-1);
        } else {
            int32(value.length);
            write(value);
        }
    }

    void text(String value) {
        bytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** A timestamptz, from nanoseconds since 1970 rounded to the nearest microsecond (as PostgreSQL's text input). */
    void timestamp(long unixNanos) {
        int32(8);
        int64(Math.floorDiv(unixNanos + 500, 1000) - EPOCH_2000_MICROS);
    }

    /** A jsonb, from JSON text in UTF-8. */
    void jsonb(byte[] json) {
        int32(json.length + 1);
        room(1);
        buffer[size++] = JSONB_VERSION;
        write(json);
    }

    /** All rows, with the trailer. */
    byte[] end() {
        row(-1);
        return Arrays.copyOf(buffer, size);
    }

    private void int32(int value) {
        room(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
    }

    private void int64(long value) {
        int32((int) (value >>> 32));
        int32((int) value);
    }

    private void write(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void room(int bytes) {
        if (size + bytes > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(2 * buffer.length, size + bytes));
        }
    }
}
