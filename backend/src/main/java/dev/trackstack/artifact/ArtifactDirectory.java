package dev.trackstack.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.trackstack.system.TrackstackProperties;
import org.springframework.stereotype.Component;

/**
 * The artifacts directory ({@code trackstack.artifacts.directory}, else {@code artifacts} in the data directory):
 * {@code uploads/} holds partial uploads, {@code staging/} blobs written whole by the server (media images) before
 * they are stored, {@code blobs/} the filesystem store's blobs, {@code renditions/} images scaled down (here
 * whatever the store). One directory, so that a verified upload becomes a blob by a rename on the same file system
 * rather than by a copy.
 */
@Component
public class ArtifactDirectory {

    private final Path root;

    public ArtifactDirectory(ArtifactProperties properties, TrackstackProperties trackstack) {
        this.root = properties.directory() != null ? properties.directory()
                : trackstack.dataDir().resolve("artifacts");
    }

    public Path blobs() {
        return created(root.resolve("blobs"));
    }

    public Path uploads() {
        return created(root.resolve("uploads"));
    }

    public Path staging() {
        return created(root.resolve("staging"));
    }

    public Path renditions() {
        return created(root.resolve("renditions"));
    }

    private static Path created(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the artifacts directory " + directory, e);
        }
    }
}
