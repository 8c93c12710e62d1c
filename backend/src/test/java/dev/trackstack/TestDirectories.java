package dev.trackstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.util.FileSystemUtils;

/**
 * Temporary directories of a test JVM (an embedded PostgreSQL's data, artifacts): gigabytes per run, which must not
 * pile up until the disk is full. The JVM cannot remove them as it ends (Surefire halts it while PostgreSQL still
 * stops), so each holds a lock file beside it for its life, and the next JVM removes those whose lock is free: their
 * JVM has ended, however it ended.
 */
final class TestDirectories {

    /** Held until the JVM ends, when the operating system frees them. */
    private static final List<FileChannel> LOCKS = new ArrayList<>();
    /** A lock file this young may not be locked yet by the JVM that just made it. */
    private static final Duration YOUNG = Duration.ofMinutes(1);

    private TestDirectories() {
    }

    /** A new directory named {@code prefix…} in the temporary directory, for this JVM's life. */
    static synchronized Path own(String prefix) {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            removeAbandoned(tmp, prefix);
            Path lockFile = Files.createTempFile(tmp, prefix, ".lock");
            FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            lock.lock();
            LOCKS.add(lock);
            return Files.createDirectory(directoryOf(lockFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeAbandoned(Path tmp, String prefix) throws IOException {
        try (DirectoryStream<Path> lockFiles = Files.newDirectoryStream(tmp, prefix + "*.lock")) {
            for (Path lockFile : lockFiles) {
                if (Files.getLastModifiedTime(lockFile).toInstant().isAfter(Instant.now().minus(YOUNG))) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                        FileLock free = channel.tryLock()) {
                    if (free != null) {
                        FileSystemUtils.deleteRecursively(directoryOf(lockFile));
                        Files.delete(lockFile);
                    }
                } catch (OverlappingFileLockException | IOException e) {
                    // held by this JVM, or another user's: not abandoned, or not ours to remove
                }
            }
        }
    }

    private static Path directoryOf(Path lockFile) {
        String name = lockFile.getFileName().toString();
        return lockFile.resolveSibling(name.substring(0, name.length() - ".lock".length()));
    }
}
