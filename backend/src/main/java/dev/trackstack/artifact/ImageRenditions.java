package dev.trackstack.artifact;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import dev.trackstack.system.ApiException;
import org.springframework.stereotype.Component;

/**
 * Image blobs scaled down to a width (a blob link's {@code w}), so that a panel of small cells loads small images:
 * decoded and scaled by the JDK, a JPEG unless the image has transparent pixels (then a PNG); anything else
 * (WebP, which ImageIO cannot read; not an image; an image no wider than asked) is served as the original. Each
 * answer is kept in {@code renditions/} of the artifacts directory as {@code <sha256>-<width>} (in a folder by the
 * first two hex digits), its bytes, or empty for "the original", so that a second request is one file read; the few
 * widths keep the files few and the browser's cache hitting. The files go with their blob.
 */
@Component
public class ImageRenditions {

    /**
     * The widths one may ask for (the dashboard's src/media/renditions.ts has them too): steps of 1.25 to 1.5 times,
     * so that the next one up from a cell's width has less than 2.25 times its pixels.
     */
    static final int[] WIDTHS = {64, 96, 128, 160, 192, 256, 384, 512, 768, 1024};

    /** A rendition's bytes on disk; an image, PNG or JPEG. */
    record Rendition(Path file, String contentType, long size) {
    }

    /** Larger blobs are no media image (8 MiB by default) and are served as they are, never read into memory. */
    private static final long MAX_SOURCE_BYTES = 64L << 20;

    private static final float JPEG_QUALITY = 0.85f;

    private final BlobStore store;
    private final ArtifactDirectory directory;
    /** Decoding holds an image's pixels: as many at once as cores, so that a burst of requests cannot fill the heap. */
    private final Semaphore decoding = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

    ImageRenditions(BlobStore store, ArtifactDirectory directory) {
        this.store = store;
        this.directory = directory;
    }

    /** The blob (of {@code size} bytes) at {@code width}, made once; empty when the original is the answer. */
    Optional<Rendition> of(String sha256, long size, int width) throws IOException {
        if (Arrays.stream(WIDTHS).noneMatch(known -> known == width)) {
            throw ApiException.badInput("w = " + width + " is not a rendition width: one of " + Arrays.stream(WIDTHS)
                    .mapToObj(Integer::toString).collect(Collectors.joining(", ")));
        }
        Path file = file(sha256, width);
        if (Files.notExists(file)) {
            make(sha256, size, width, file);
        }
        long length = Files.size(file);
        if (length == 0) {
            return Optional.empty();
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(1);
        }
        return Optional.of(new Rendition(file, (head[0] & 0xff) == 0x89 ? "image/png" : "image/jpeg", length));
    }

    /** Removes the blob's renditions (its blob is gone). */
    void delete(String sha256) throws IOException {
        for (int width : WIDTHS) {
            Files.deleteIfExists(file(sha256, width));
        }
    }

    private Path file(String sha256, int width) {
        return directory.renditions().resolve(sha256.substring(0, 2)).resolve(sha256 + "-" + width);
    }

    /** Writes the rendition (or an empty file) beside, then moves it in: a reader never sees half a file. */
    private void make(String sha256, long size, int width, Path file) throws IOException {
        byte[] rendition;
        decoding.acquireUninterruptibly();
        try {
            rendition = render(sha256, size, width);
        } finally {
            decoding.release();
        }
        Path made = directory.staging().resolve(UUID.randomUUID().toString());
        try {
            Files.write(made, rendition);
            Files.createDirectories(file.getParent());
            Files.move(made, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(made);
        }
    }

    /**
     * The scaled image, or no bytes when the original is the answer. The blob is read whole before decoding, so
     * that the store failing (an error to retry) is never taken for an image that does not decode (kept as is).
     */
    private byte[] render(String sha256, long size, int width) throws IOException {
        if (size > MAX_SOURCE_BYTES) {
            return new byte[0];
        }
        byte[] source;
        try (InputStream in = store.open(sha256, 0, -1)) {
            source = in.readAllBytes();
        }
        // In memory, not ImageIO's temporary files.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(source))) {
            return scaled(in, width);
        } catch (IOException | RuntimeException e) {
            // A CMYK JPEG, a damaged file: served as it is.
            return new byte[0];
        }
    }

    private static byte[] scaled(ImageInputStream in, int width) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            return new byte[0];
        }
        ImageReader reader = readers.next();
        try {
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            reader.setInput(in, true, true);
            if (!format.equals("png") && !format.equals("jpeg") || reader.getWidth(0) <= width) {
                return new byte[0];
            }
            int height = Math.max(1, (int) Math.round((double) reader.getHeight(0) * width / reader.getWidth(0)));
            ImageReadParam param = reader.getDefaultReadParam();
            // Every n-th pixel, still at least twice the width asked: the whole of an 8192-pixel-wide image would
            // take 256 MiB, and bilinear scaling by at most two skips no pixel.
            int every = Math.max(1, reader.getWidth(0) / (2 * width));
            param.setSourceSubsampling(every, every, 0, 0);
            BufferedImage source = reader.read(0, param);
            // Without a transparent pixel a thumbnail loses nothing to see as a JPEG, at a tenth of a PNG's bytes
            // or less (the zoom shows the original); with one it stays a PNG.
            boolean transparent = source.getColorModel().hasAlpha() && !opaque(source);
            BufferedImage scaled = new BufferedImage(width, height,
                    transparent ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            Graphics2D graphics = scaled.createGraphics();
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            graphics.drawImage(source, 0, 0, width, height, null);
            graphics.dispose();
            return transparent ? encoded(scaled, "png", null) : encoded(scaled, "jpeg", JPEG_QUALITY);
        } finally {
            reader.dispose();
        }
    }

    private static boolean opaque(BufferedImage image) {
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        return Arrays.stream(pixels).allMatch(pixel -> pixel >>> 24 == 0xff);
    }

    /** The image in the format, at the quality when one is given. */
    private static byte[] encoded(BufferedImage image, String format, Float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
