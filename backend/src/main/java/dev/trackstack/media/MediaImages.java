package dev.trackstack.media;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.UUID;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import dev.trackstack.artifact.ArtifactDirectory;
import dev.trackstack.artifact.Blobs;
import dev.trackstack.artifact.ImageRenditions;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Sha256;
import org.springframework.stereotype.Component;

/**
 * Checks an image sent as base64 and stores its bytes as a blob. The text is decoded as it streams to a file in
 * the artifacts directory and through SHA-256, never held whole as bytes; the format is recognised by the bytes,
 * and the width and height read from the header (PNG by hand, its chunks' CRCs checked on the way; JPEG by
 * ImageIO's reader, which reads the header only; WebP's RIFF header by hand), so that an 8 MiB image costs a few
 * kilobytes of memory beyond its text. Its renditions for the dashboard are then made in the background.
 */
@Component
class MediaImages {

    /** What a stored image is: its blob and what its header says. */
    record StoredImage(String sha256, String format, int width, int height, long bytes) {
    }

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int BUFFER = 1 << 16;

    private final ArtifactDirectory directory;
    private final Blobs blobs;
    private final ImageRenditions renditions;
    private final long maxBytes;
    private final int maxSide;

    MediaImages(ArtifactDirectory directory, Blobs blobs, ImageRenditions renditions, MediaProperties properties) {
        this.directory = directory;
        this.blobs = blobs;
        this.renditions = renditions;
        this.maxBytes = properties.maxImageBytes().toBytes();
        this.maxSide = properties.maxImageSide();
    }

    /**
     * Checks and stores the image whose base64 text is {@code data}; {@code what} names it in messages ("image",
     * "rows[2][1]").
     */
    StoredImage store(String data, String what) {
        // Three bytes per four characters, padding aside: a text this long is too big before any decoding.
        if ((long) data.length() / 4 * 3 > maxBytes + 2) {
            throw ApiException.limit(what + ": an image of about " + data.length() / 4 * 3 + " bytes", maxBytes);
        }
        Path file = directory.staging().resolve(UUID.randomUUID().toString());
        try {
            MessageDigest digest = Sha256.digest();
            long size = decode(data, file, digest, what);
            StoredImage image = read(file, size, HexFormat.of().formatHex(digest.digest()), what);
            blobs.put(image.sha256(), file, size);
            renditions.prepare(image.sha256(), size, image.width());
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private long decode(String data, Path file, MessageDigest digest, String what) throws IOException {
        long size = 0;
        // Only the decoder's reads fail for the text (the string itself cannot); the writes fail for the disk.
        InputStream in = Base64.getDecoder().wrap(new AsciiStream(data));
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
            byte[] buffer = new byte[BUFFER];
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw ApiException.badInput(what + ": data is not base64 (" + e.getMessage() + ")");
                }
                if (n < 0) {
                    return size;
                }
                size += n;
                if (size > maxBytes) {
                    throw ApiException.limit(what + ": an image of more than " + maxBytes + " bytes", maxBytes);
                }
                out.write(buffer, 0, n);
            }
        }
    }

    private StoredImage read(Path file, long size, String sha256, String what) throws IOException {
        byte[] head = new byte[32];
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            length = in.readNBytes(head, 0, head.length);
        }
        int[] dimensions;
        String format;
        if (length >= PNG.length && Arrays.equals(head, 0, PNG.length, PNG, 0, PNG.length)) {
            format = "PNG";
            dimensions = png(file, what);
        } else if (length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            format = "JPEG";
            dimensions = jpeg(file, size, what);
        } else if (length >= 12 && ascii(head, 0, 4).equals("RIFF") && ascii(head, 8, 4).equals("WEBP")) {
            format = "WEBP";
            dimensions = webp(head, length, size, what);
        } else {
            throw ApiException.badInput(what + ": not a PNG, JPEG or WebP image (its first bytes are none of theirs)");
        }
        if (dimensions[0] > maxSide || dimensions[1] > maxSide) {
            throw ApiException.limit(what + ": an image of " + dimensions[0] + " × " + dimensions[1]
                    + " pixels (the limit is per side)", maxSide);
        }
        return new StoredImage(sha256, format, dimensions[0], dimensions[1], size);
    }

    /** Walks the chunks to IEND, checking each CRC: a truncated or altered file fails here. */
    private static int[] png(Path file, String what) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER))) {
            in.skipNBytes(PNG.length);
            int[] dimensions = null;
            byte[] buffer = new byte[BUFFER];
            while (true) {
                long length = Integer.toUnsignedLong(in.readInt());
                byte[] type = in.readNBytes(4);
                if (type.length < 4) {
                    throw new EOFException();
                }
                CRC32 crc = new CRC32();
                crc.update(type);
                String name = ascii(type, 0, 4);
                if (dimensions == null) {
                    if (!name.equals("IHDR") || length != 13) {
                        throw ApiException.badInput(what + ": a corrupt PNG (it does not start with its header)");
                    }
                    byte[] header = in.readNBytes(13);
                    crc.update(header);
                    dimensions = new int[] {be(header, 0), be(header, 4)};
                    if (dimensions[0] <= 0 || dimensions[1] <= 0) {
                        throw ApiException.badInput(what + ": a corrupt PNG (its size is " + dimensions[0] + " × "
                                + dimensions[1] + ")");
                    }
                } else {
                    for (long left = length; left > 0; ) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                        if (n < 0) {
                            throw new EOFException();
                        }
                        crc.update(buffer, 0, n);
                        left -= n;
                    }
                }
                if ((int) crc.getValue() != in.readInt()) {
                    throw ApiException.badInput(what + ": a corrupt PNG (chunk " + name + " fails its CRC)");
                }
                if (name.equals("IEND")) {
                    return dimensions;
                }
            }
        } catch (EOFException e) {
            throw ApiException.badInput(what + ": a corrupt PNG (it ends before its IEND chunk)");
        }
    }

    /** The header through ImageIO, which reads no pixels for it; a file cut short lacks the end marker. */
    private static int[] jpeg(Path file, long size, String what) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(size - 2);
            if (raf.read() != 0xff || raf.read() != 0xd9) {
                throw ApiException.badInput(what + ": a corrupt JPEG (it does not end with the end-of-image marker)");
            }
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in, true, true);
            return new int[] {reader.getWidth(0), reader.getHeight(0)};
        } catch (IOException | RuntimeException e) {
            throw ApiException.badInput(what + ": a corrupt JPEG (" + e.getMessage() + ")");
        } finally {
            reader.dispose();
        }
    }

    /** The RIFF size must be the file's; the first chunk (VP8, VP8L or VP8X) holds the canvas size. */
    private static int[] webp(byte[] head, int length, long size, String what) {
        if (length < 30 || Integer.toUnsignedLong(le(head, 4, 4)) + 8 != size) {
            throw ApiException.badInput(what + ": a corrupt WebP (its RIFF size is not the file's)");
        }
        String chunk = ascii(head, 12, 4);
        switch (chunk) {
            case "VP8 " -> {
                if ((head[23] & 0xff) == 0x9d && (head[24] & 0xff) == 0x01 && (head[25] & 0xff) == 0x2a) {
                    return new int[] {le(head, 26, 2) & 0x3fff, le(head, 28, 2) & 0x3fff};
                }
            }
            case "VP8L" -> {
                if ((head[20] & 0xff) == 0x2f) {
                    int bits = le(head, 21, 4);
                    return new int[] {(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1};
                }
            }
            case "VP8X" -> {
                return new int[] {le(head, 24, 3) + 1, le(head, 27, 3) + 1};
            }
            default -> {
            }
        }
        throw ApiException.badInput(what + ": a corrupt WebP (its " + chunk.strip() + " chunk has no valid header)");
    }

    private static String ascii(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    private static int be(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16 | (bytes[offset + 2] & 0xff) << 8
                | bytes[offset + 3] & 0xff;
    }

    private static int le(byte[] bytes, int offset, int length) {
        int value = 0;
        for (int i = length - 1; i >= 0; i--) {
            value = value << 8 | bytes[offset + i] & 0xff;
        }
        return value;
    }

    /**
     * The characters of a string as bytes, without copying it; a character beyond ASCII becomes one that base64
     * refuses (its low byte could pass for a letter of the alphabet).
     */
    private static final class AsciiStream extends InputStream {

        private final String text;
        private int position;

        AsciiStream(String text) {
            this.text = text;
        }

        @Override
        public int read() {
            if (position >= text.length()) {
                return -1;
            }
            char c = text.charAt(position++);
            return c < 0x80 ? c : '!';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= text.length()) {
                return -1;
            }
            int n = Math.min(length, text.length() - position);
            for (int i = 0; i < n; i++) {
                char c = text.charAt(position++);
                buffer[offset + i] = (byte) (c < 0x80 ? c : '!');
            }
            return n;
        }
    }
}
