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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

import com.sun.nio.file.ExtendedOpenOption;

/**
 * Writes an upload's bytes to its partial file and through SHA-256 on other threads, behind the request thread, so
 * that reading the next buffer from the socket overlaps the disk and the hash: on two cores that is the difference
 * between doing them in turn or at once. Up to {@link #BUFFERS} buffers are in flight: the writes run one after the
 * other in order, and so do the hashes, each as soon as its buffer and the one before it allow; a buffer is handed back
 * for filling once it is written and hashed. With only two buffers taking turns, each step waited for the slowest of
 * the three, and the disk's writes vary from one to the next.
 * <p>
 * A big file's whole blocks bypass the page cache (O_DIRECT) where the file system allows it: on the virtual
 * machines we measured, copying an upload into the page cache cost the server more CPU than reading it from the
 * socket and hashing it together (docs/performance.md, ARTIFACTS).
 */
final class UploadWriter implements Closeable {

    /** Smaller files go through the page cache, where they are read back soonest. */
    static final long DIRECT_FROM_BYTES = 16L << 20;

    /** Buffers of one upload: one being filled, the others being written and hashed. */
    static final int BUFFERS = 4;

    private final FileChannel file;
    private final FileChannel direct;
    private final int block;
    private final ByteBuffer aligned;
    private final Executor executor;
    private final int bufferSize;
    private MessageDigest digest;
    private long position;
    private int buffers = 1; // the caller's first one
    /** Buffers handed to the background, oldest first, each with the end of its write and hash. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private CompletableFuture<Void> written = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> hashed = CompletableFuture.completedFuture(null);

    private record InFlight(byte[] buffer, CompletableFuture<Void> done) {
    }

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
        this.bufferSize = bufferSize;
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
        long at = position;
        position += length;
        MessageDigest hashing = digest;
        written = written.thenRunAsync(() -> writeAt(buffer, length, at), executor);
        hashed = hashed.thenRunAsync(() -> hashing.update(buffer, 0, length), executor);
        inFlight.add(new InFlight(buffer, CompletableFuture.allOf(written, hashed)));
        if (buffers < BUFFERS) {
            buffers++;
            return new byte[bufferSize];
        }
        return await(inFlight.remove());
    }

    /** Forgets every byte from {@code offset} on; the digest is then unknown. */
    void truncate(long offset) throws IOException {
        awaitAll();
        file.truncate(offset);
        position = offset;
        digest = null;
    }

    /** Waits for the buffers in the background, throwing their failure; forces the bytes to the disk if asked. */
    void finish(boolean force) throws IOException {
        awaitAll();
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

    private void awaitAll() throws IOException {
        while (!inFlight.isEmpty()) {
            await(inFlight.remove());
        }
    }

    /** Waits for a buffer in the background; answers it. */
    private byte[] await(InFlight buffer) throws IOException {
        try {
            buffer.done().get();
            return buffer.buffer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while writing an upload", e);
        } catch (ExecutionException e) {
            // The writes after a failed one did not run; once the rest has ended, the file's size is what it holds.
            CompletableFuture.allOf(written, hashed).exceptionally(settled -> null).join();
            inFlight.clear();
            written = CompletableFuture.completedFuture(null);
            hashed = CompletableFuture.completedFuture(null);
            digest = null;
            position = file.size();
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IllegalStateException("Writing an upload failed", e.getCause());
        }
    }

    /** Waits for the buffers in the background and closes the file; a failure there was thrown before or is moot. */
    @Override
    public void close() throws IOException {
        try {
            awaitAll();
        } catch (IOException | RuntimeException secondary) {
            // Only when the request fails already: its own error is the one to answer; the state is recorded.
        } finally {
            try (FileChannel buffered = file; FileChannel unbuffered = direct) {
                // both closed, even when one fails
            }
        }
    }
}
