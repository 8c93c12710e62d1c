package dev.trackstack.artifact;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** Blobs as files {@code blobs/ab/cd/<sha256>} in the artifacts directory: the embedded default. */
public class FilesystemBlobStore implements BlobStore {

    private final Path blobs;

    public FilesystemBlobStore(Path blobs) {
        this.blobs = blobs;
    }

    Path path(String sha256) {
        return blobs.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    /** A rename: the partial upload is in the same directory tree, so on the same file system. */
    @Override
    public void put(String sha256, Path verifiedFile, long size) throws IOException {
        Path target = path(sha256);
        if (Files.exists(target)) {
            Files.delete(verifiedFile);
            return;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(verifiedFile, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.delete(verifiedFile);
        }
    }

    @Override
    public boolean exists(String sha256) {
        return Files.exists(path(sha256));
    }

    @Override
    public InputStream open(String sha256, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(path(sha256));
        channel.position(offset);
        InputStream in = Channels.newInputStream(channel);
        return length < 0 ? in : new BoundedInputStream(in, length);
    }

    @Override
    public Optional<Path> localFile(String sha256) {
        return Optional.of(path(sha256).toAbsolutePath()).filter(Files::isRegularFile);
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(path(sha256));
    }

    /** The first {@code length} bytes of a stream. */
    private static final class BoundedInputStream extends FilterInputStream {

        private long left;

        BoundedInputStream(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
