package dev.trackstack.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where blobs live once verified, by their SHA-256 (lower-case hex): a directory under the data directory, or an
 * S3-compatible bucket. Partial uploads stay on the local disk (the upload directory) until complete and verified;
 * only then are they put here, so a store never holds a blob whose bytes do not match its name.
 */
public interface BlobStore extends AutoCloseable {

    /** Stores the verified file as the blob {@code sha256}; a blob stored already is left as it is. */
    void put(String sha256, Path verifiedFile, long size) throws IOException;

    boolean exists(String sha256) throws IOException;

    /** The blob's bytes from {@code offset}, {@code length} of them (the rest when negative); closes with the stream. */
    InputStream open(String sha256, long offset, long length) throws IOException;

    /** Removes the blob; nothing when there is none. */
    void delete(String sha256) throws IOException;

    /** The blob's file on this machine's disk, when the store keeps it there. */
    default Optional<Path> localFile(String sha256) {
        return Optional.empty();
    }

    /** A URL that downloads the blob without a token for {@code validFor}, when the store can give one. */
    default Optional<URI> presignedDownload(String sha256, String fileName, Duration validFor) {
        return Optional.empty();
    }

    /** Releases the store's connections, when it has any (the server closes it when it stops). */
    @Override
    default void close() {
    }
}
