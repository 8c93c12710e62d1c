package dev.trackstack.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

/** Images made in the test (ImageIO writes PNG and JPEG; WebP and broken files by hand) and logMedia items. */
public final class MediaFixtures {

    public static final String LOG = """
            mutation($runId: ID!, $items: [MediaItemInput!]!, $batchId: String) {
              logMedia(runId: $runId, items: $items, batchId: $batchId) { stored errors { index code message } } }""";

    public static final String AT = """
            query($runIds: [ID!]!, $name: String!, $step: Long!, $exact: Boolean, $first: Int) {
              mediaAt(runIds: $runIds, name: $name, step: $step, exact: $exact, first: $first) {
                runId name step index kind caption createdAt
                image { format width height bytes sha256 url overlays }
                histogram { edges counts } table { columns { name type } rows } text { format content } } }""";

    private MediaFixtures() {
    }

    public static byte[] png(int width, int height, long seed) {
        return write(width, height, seed, "png", BufferedImage.TYPE_INT_ARGB, 0);
    }

    /** A PNG with an alpha channel, every pixel opaque. */
    static byte[] opaquePng(int width, int height, long seed) {
        return write(width, height, seed, "png", BufferedImage.TYPE_INT_ARGB, 0xff000000);
    }

    public static byte[] jpeg(int width, int height, long seed) {
        return write(width, height, seed, "jpeg", BufferedImage.TYPE_INT_RGB, 0);
    }

    /** Random pixels, the bits of {@code set} set in each. */
    private static byte[] write(int width, int height, long seed, String format, int type, int set) {
        BufferedImage image = new BufferedImage(width, height, type);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt() | set);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A PNG of its header and end only, which says it is this big: nothing but its size is read of it. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer bytes = ByteBuffer.allocate(8 + 25 + 12);
        bytes.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(bytes, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 6, 0, 0, 0})
                .array());
        chunk(bytes, "IEND", new byte[0]);
        return bytes.array();
    }

    private static void chunk(ByteBuffer bytes, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        bytes.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data).putInt((int) crc.getValue());
    }

    /** A lossless WebP's RIFF header, with a VP8L chunk that says width × height (its pixels are not read). */
    static byte[] webp(int width, int height) {
        ByteBuffer bytes = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(32).put("WEBP".getBytes(StandardCharsets.US_ASCII))
                .put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(20).put((byte) 0x2f)
                .putInt((width - 1) | (height - 1) << 14);
        return bytes.array();
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static Map<String, Object> item(String name, long step, String kind, Object input) {
        Map<String, Object> item = new HashMap<>();
        item.put("name", name);
        item.put("step", step);
        item.put(kind, input);
        return item;
    }

    public static Map<String, Object> image(String name, long step, byte[] bytes) {
        return item(name, step, "image", Map.of("data", base64(bytes)));
    }

    static Map<String, Object> text(String name, long step, String content) {
        return item(name, step, "text", Map.of("content", content));
    }
}
