package dev.trackstack.artifact;

import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * SHA-256 of an upload on another thread, one buffer behind the request thread, so that hashing a buffer overlaps
 * reading the next from the socket: on two cores that is the difference between hashing and reading in turn or
 * at once. Two buffers take turns; a buffer is handed back for filling only once its hash is done.
 */
final class HashingPipeline {

    private final MessageDigest digest;
    private final Executor executor;
    private byte[] hashing;
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    HashingPipeline(MessageDigest digest, Executor executor, int bufferSize) {
        this.digest = digest;
        this.executor = executor;
        this.hashing = new byte[bufferSize];
    }

    /** Hashes the buffer's first {@code length} bytes in the background; answers the buffer to fill next. */
    byte[] update(byte[] buffer, int length) {
        byte[] free = await();
        pending = CompletableFuture.runAsync(() -> digest.update(buffer, 0, length), executor);
        hashing = buffer;
        return free;
    }

    /** The digest of every byte given so far. */
    MessageDigest digest() {
        await();
        return digest;
    }

    private byte[] await() {
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while hashing an upload", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Hashing an upload failed", e.getCause());
        }
        return hashing;
    }
}
