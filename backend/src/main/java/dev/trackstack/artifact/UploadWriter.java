package dev.trackstack.artifact;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

import com.sun.nio.file.ExtendedOpenOption;

/**
 * Writes an upload's bytes to its partial file and through SHA-256 on other threads, one buffer behind the request
 * thread, so that reading the next buffer from the socket overlaps the disk and the hash: on two cores that is the
 * difference between doing them in turn or at once. Two buffers take turns; a buffer is handed back for filling
 * only once it is written and hashed.
 * <p>
 * A big file's whole blocks bypass the page cache (O_DIRECT) where the file system allows it: on the virtual
 * machines we measured, copying an upload into the page cache cost the server more CPU than reading it from the
 * socket and hashing it together (docs/performance.md, ARTIFACTS).
 */
final class UploadWriter implements Closeable {

    /** Smaller files go through the page cache, where they are read back soonest. */
    static final long DIRECT_FROM_BYTES = 16L << 20;

    private final FileChannel file;
    private final FileChannel direct;
    private final int block;
    private final ByteBuffer aligned;
    private final Executor executor;
    private MessageDigest digest;
    private long position;
    private byte[] spare;
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    /**
     * Opens the partial file at {@code offset}, dropping any bytes past it (they arrived before a crash that the
     * upload's row did not hear of, and are sent again now); {@code digest} holds the first {@code offset} bytes.
     */
    UploadWriter(Path partial, long offset, long size, MessageDigest digest, Executor executor, int bufferSize)
            throws IOException {
        this.file = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        file.truncate(offset);
        this.position = offset;
        this.digest = digest;
        this.executor = executor;
        this.spare = new byte[bufferSize];
        FileChannel opened = null;
        int blockSize = 1;
        if (size - offset >= DIRECT_FROM_BYTES) {
            try {
                blockSize = Math.toIntExact(Files.getFileStore(partial).getBlockSize());
                opened = FileChannel.open(partial, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            } catch (IOException | UnsupportedOperationException | ArithmeticException notHere) {
                // tmpfs and some network file systems refuse O_DIRECT: the page cache it is.
            }
        }
        this.direct = opened;
        this.block = blockSize;
        this.aligned = opened == null ? null : ByteBuffer.allocateDirect(bufferSize + block).alignedSlice(block);
    }

    /**
     * Writes and hashes the buffer's first {@code length} bytes next, in the background; answers the buffer to fill
     * next. A failure of an earlier buffer is thrown here.
     */
    byte[] write(byte[] buffer, int length) throws IOException {
        byte[] free = await();
        long at = position;
        position += length;
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> writeAt(buffer, length, at), executor);
        CompletableFuture<Void> hashed = CompletableFuture.runAsync(() -> digest.update(buffer, 0, length), executor);
        pending = CompletableFuture.allOf(written, hashed);
        spare = buffer;
        return free;
    }

    /** Forgets every byte from {@code offset} on; the digest is then unknown. */
    void truncate(long offset) throws IOException {
        await();
        file.truncate(offset);
        position = offset;
        digest = null;
    }

    /** Waits for the buffers in the background, throwing their failure; forces the bytes to the disk if asked. */
    void finish(boolean force) throws IOException {
        await();
        if (force) {
            file.force(false);
        }
    }

    /** How many bytes the file holds; final once closed. */
    long position() {
        return position;
    }

    /** The digest of the file's bytes, null when unknown (after a truncation or a failed write); final once closed. */
    MessageDigest digest() {
        return digest;
    }

    private void writeAt(byte[] bytes, int length, long at) {
        try {
            // Up to the next block boundary and after the last whole block through the page cache; between, direct.
            int head = direct == null ? length : (int) Math.min(length, Math.floorMod(-at, (long) block));
            int whole = direct == null ? 0 : (length - head) / block * block;
            writeFully(file, ByteBuffer.wrap(bytes, 0, head), at);
            if (whole > 0) {
                writeFully(direct, aligned.clear().put(bytes, head, whole).flip(), at + head);
            }
            writeFully(file, ByteBuffer.wrap(bytes, head + whole, length - head - whole), at + head + whole);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long at) throws IOException {
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    /** Waits for the buffer in the background; answers it. */
    private byte[] await() throws IOException {
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while writing an upload", e);
        } catch (ExecutionException e) {
            pending = CompletableFuture.completedFuture(null);
            digest = null;
            position = file.size();
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IllegalStateException("Writing an upload failed", e.getCause());
        }
        return spare;
    }

    /** Waits for the buffers in the background and closes the file; a failure there was thrown before or is moot. */
    @Override
    public void close() throws IOException {
        try {
            await();
        } catch (IOException | RuntimeException secondary) {
            // Only when the request fails already: its own error is the one to answer; the state is recorded.
        } finally {
            try (FileChannel buffered = file; FileChannel unbuffered = direct) {
                // both closed, even when one fails
            }
        }
    }
}
