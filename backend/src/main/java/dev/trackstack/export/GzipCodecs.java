package dev.trackstack.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet's GZIP pages (RFC 1952) compressed by the JDK: parquet-java's own codecs go through Hadoop's compression
 * classes, which the server does not carry. Export only writes, so there is no decompressor.
 */
final class GzipCodecs implements CompressionCodecFactory {

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codecName) {
        if (codecName != CompressionCodecName.GZIP) {
            throw new IllegalArgumentException("Only GZIP is available here, not " + codecName);
        }
        return new BytesInputCompressor() {
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                buffer.reset();
                try (GZIPOutputStream gzip = new GZIPOutputStream(buffer, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                }) {
                    bytes.writeAllTo(gzip);
                }
                return BytesInput.from(buffer.toByteArray());
            }

            @Override
            public CompressionCodecName getCodecName() {
                return CompressionCodecName.GZIP;
            }

            @Override
            public void release() {
            }
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codecName) {
        throw new UnsupportedOperationException("Export writes Parquet only");
    }

    @Override
    public void release() {
    }
}
