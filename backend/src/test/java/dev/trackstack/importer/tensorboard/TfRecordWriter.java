package dev.trackstack.importer.tensorboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import com.google.protobuf.MessageLite;

/**
 * Writes a TFRecord file as TensorFlow documents the format (tensorflow/core/lib/io/record_writer.h, "TFRecord"
 * in the tf.data guide): per record uint64 length, uint32 masked_crc32_of_length, byte data[length], uint32
 * masked_crc32_of_data, all little-endian, where masked_crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8 of the
 * CRC-32C (Castagnoli).
 */
final class TfRecordWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TfRecordWriter write(MessageLite message) {
        return write(message.toByteArray());
    }

    TfRecordWriter write(byte[] data) {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.writeBytes(length);
        out.writeBytes(littleEndian(maskedCrc32c(length)));
        out.writeBytes(data);
        out.writeBytes(littleEndian(maskedCrc32c(data)));
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    void writeTo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes());
    }

    static int maskedCrc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + 0xa282ead8;
    }

    private static byte[] littleEndian(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
