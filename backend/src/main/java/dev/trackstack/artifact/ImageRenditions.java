package dev.trackstack.artifact;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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

import dev.trackstack.system.AfterCommit;
import dev.trackstack.system.ApiException;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Image blobs scaled down to a width (a blob link's {@code w}), so that a panel of small cells loads small images:
 * decoded and scaled by the JDK, a JPEG unless the image has transparent pixels (then a PNG); anything else
 * (WebP, which ImageIO cannot read; not an image; an image no wider than asked) is served as the original. Each
 * answer is kept in {@code renditions/} of the artifacts directory as {@code <sha256>-<width>} (in a folder by the
 * first two hex digits), its bytes, or empty for "the original", so that a second request is one file read; the few
 * widths keep the files few and the browser's cache hitting. The files go with their blob. The widths the dashboard's
 * image panels ask for are made when the image is logged ({@link #prepare}), in the background, so that the first
 * look at a step finds them ready.
 */
@Component
public class ImageRenditions {

    private static final Logger log = LoggerFactory.getLogger(ImageRenditions.class);

    /**
     * The widths one may ask for (the dashboard's src/media/renditions.ts has them too): steps of 1.25 to 1.5 times,
     * so that the next one up from a cell's width has less than 2.25 times its pixels.
     */
    static final int[] WIDTHS = {64, 96, 128, 160, 192, 256, 384, 512, 768, 1024};

    /**
     * The widths made when an image is logged (those narrower than it): a panel's grid cell is 150 to about 310 CSS
     * pixels wide (the dashboard's .media-runs), which asks for 160 to 384 at a device pixel ratio of 1 and 384 to
     * 768 at 2. Smaller cells (a table's) and other widths are made on their first request.
     */
    public static final int[] PREPARED_WIDTHS = {160, 192, 256, 384, 512, 768};

    /** Images waiting to have their renditions made, at most; beyond, theirs are made on their first request. */
    private static final int QUEUED = 10_000;

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
    /** Makes logged images' renditions: half the cores, so that requests and ingest keep the others. */
    private final ThreadPoolExecutor preparing = preparing(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));

    ImageRenditions(BlobStore store, ArtifactDirectory directory) {
        this.store = store;
        this.directory = directory;
    }

    private static ThreadPoolExecutor preparing(int threads) {
        CustomizableThreadFactory factory = new CustomizableThreadFactory("image-renditions-");
        factory.setDaemon(true);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUED), factory, new ThreadPoolExecutor.DiscardPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    @PreDestroy
    void stop() {
        preparing.shutdownNow();
    }

    /**
     * Makes, in the background, the {@link #PREPARED_WIDTHS} renditions of a just-logged image (the blob, of
     * {@code size} bytes, {@code width} pixels wide) that are narrower than it: one read and decode for all, once
     * the current transaction has committed (a rolled-back image's blob may be collected, and its renditions with
     * it). A failure is logged only; the request makes what is missing.
     */
    public void prepare(String sha256, long size, int width) {
        AfterCommit.run(() -> preparing.execute(() -> {
            try {
                makeAll(sha256, size, width);
            } catch (IOException | RuntimeException e) {
                log.warn("Renditions of image {} not made ahead (made when asked for instead): {}", sha256,
                        e.toString());
            }
        }));
    }

    private void makeAll(String sha256, long size, int width) throws IOException {
        int[] missing = Arrays.stream(PREPARED_WIDTHS).filter(w -> w < width && Files.notExists(file(sha256, w)))
                .toArray();
        if (missing.length == 0 || size > MAX_SOURCE_BYTES) {
            return;
        }
        byte[] source = read(sha256);
        decoding.acquireUninterruptibly();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(source))) {
            Decoded decoded = decode(in, Arrays.stream(missing).max().getAsInt());
            if (decoded == null) {
                return;  // served as it is
            }
            for (int w : missing) {
                write(file(sha256, w), scaled(decoded, w));
            }
        } finally {
            decoding.release();
        }
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

    /**
     * The bytes a box {@code shownPx} pixels wide loads of the blob (an image {@code imageWidth} pixels wide, of
     * {@code size} bytes): the smallest rendition at least that wide, or the blob itself when none is narrower than
     * it (the dashboard's sizedUrl picks the same); empty unless that is ready and at most {@code maxBytes}. Nothing
     * is decoded or scaled here: a rendition not made yet is made by its request.
     */
    public Optional<byte[]> ready(String sha256, long size, int imageWidth, int shownPx, int maxBytes)
            throws IOException {
        int fit = Arrays.stream(WIDTHS).filter(w -> w >= shownPx).findFirst().orElse(Integer.MAX_VALUE);
        if (fit < imageWidth) {
            Path file = file(sha256, fit);
            long length;
            try {
                length = Files.size(file);
            } catch (NoSuchFileException notMadeYet) {
                return Optional.empty();
            }
            if (length != 0) {
                return length <= maxBytes ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
            }
            // an empty file: the image did not decode, and is served as it is
        }
        return size <= maxBytes ? Optional.of(read(sha256)) : Optional.empty();
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
        write(file, rendition);
    }

    private void write(Path file, byte[] rendition) throws IOException {
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
        byte[] source = read(sha256);
        // In memory, not ImageIO's temporary files.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(source))) {
            Decoded decoded = decode(in, width);
            return decoded == null || decoded.width() <= width ? new byte[0] : scaled(decoded, width);
        } catch (IOException | RuntimeException e) {
            // A CMYK JPEG, a damaged file: served as it is.
            return new byte[0];
        }
    }

    private byte[] read(String sha256) throws IOException {
        try (InputStream in = store.open(sha256, 0, -1)) {
            return in.readAllBytes();
        }
    }

    /** An image's pixels (perhaps every n-th), its width and height, and whether a pixel is transparent. */
    private record Decoded(BufferedImage pixels, int width, int height, boolean transparent) {
    }

    /**
     * A PNG or JPEG decoded for renditions up to {@code width}: its pixels, only its header when it is no wider; null
     * for any other format.
     */
    private static Decoded decode(ImageInputStream in, int width) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            return null;
        }
        ImageReader reader = readers.next();
        try {
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            reader.setInput(in, true, true);
            if (!format.equals("png") && !format.equals("jpeg")) {
                return null;
            }
            int sourceWidth = reader.getWidth(0);
            int sourceHeight = reader.getHeight(0);
            if (sourceWidth <= width) {
                return new Decoded(null, sourceWidth, sourceHeight, false);
            }
            ImageReadParam param = reader.getDefaultReadParam();
            // Every n-th pixel, still at least twice the width asked: the whole of an 8192-pixel-wide image would
            // take 256 MiB, and bilinear scaling by at most two skips no pixel.
            int every = Math.max(1, sourceWidth / (2 * width));
            param.setSourceSubsampling(every, every, 0, 0);
            BufferedImage pixels = reader.read(0, param);
            return new Decoded(pixels, sourceWidth, sourceHeight,
                    pixels.getColorModel().hasAlpha() && !opaque(pixels));
        } finally {
            reader.dispose();
        }
    }

    /**
     * The image at {@code width} (narrower than it): without a transparent pixel a thumbnail loses nothing to see as
     * a JPEG, at a tenth of a PNG's bytes or less (the zoom shows the original); with one it stays a PNG.
     */
    private static byte[] scaled(Decoded image, int width) throws IOException {
        int height = Math.max(1, (int) Math.round((double) image.height() * width / image.width()));
        int type = image.transparent() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage source = image.pixels();
        // Halved until at most twice as wide: bilinear scaling by more would skip pixels.
        while (source.getWidth() > 2 * width) {
            source = resized(source, source.getWidth() / 2, Math.max(1, source.getHeight() / 2), type);
        }
        BufferedImage scaled = resized(source, width, height, type);
        return image.transparent() ? encoded(scaled, "png", null) : encoded(scaled, "jpeg", JPEG_QUALITY);
    }

    private static BufferedImage resized(BufferedImage source, int width, int height, int type) {
        BufferedImage resized = new BufferedImage(width, height, type);
        Graphics2D graphics = resized.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        graphics.drawImage(source, 0, 0, width, height, null);
        graphics.dispose();
        return resized;
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
