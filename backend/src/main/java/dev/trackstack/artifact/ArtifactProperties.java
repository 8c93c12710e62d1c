package dev.trackstack.artifact;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where artifacts are kept and their limits ({@code trackstack.artifacts.*}), documented in docs/configuration.md.
 *
 * @param store           FILESYSTEM (under {@code directory}) or S3 (the bucket of {@code s3})
 * @param directory       blobs of the filesystem store and partial uploads of either store; unset: {@code
 *                        artifacts} in the data directory
 * @param maxFileBytes    the largest file a version may hold
 * @param filesPerVersion the most files one version may hold
 * @param uploadTimeout   an unfinished upload untouched this long is removed; an unreferenced blob younger than this
 *                        is never collected (it may be waiting for its commit)
 * @param collectInterval how often unreferenced blobs, stale uploads and (with retention) old versions are removed
 * @param retention       versions older than this that no alias but {@code latest} points at are deleted; unset keeps them
 */
@ConfigurationProperties("trackstack.artifacts")
public record ArtifactProperties(
        @DefaultValue("FILESYSTEM") Store store,
        Path directory,
        @DefaultValue("64GB") DataSize maxFileBytes,
        @DefaultValue("10000") int filesPerVersion,
        @DefaultValue("24h") Duration uploadTimeout,
        @DefaultValue("1h") Duration collectInterval,
        Duration retention,
        @DefaultValue S3 s3) {

    public enum Store { FILESYSTEM, S3 }

    /**
     * An S3-compatible bucket (AWS, MinIO, Ceph, R2…).
     *
     * @param endpoint         unset for AWS itself; for MinIO and others their URL
     * @param pathStyle        bucket in the path rather than the host name, as MinIO and most S3-compatible servers need
     * @param checksums        WHEN_REQUIRED (what S3-compatible servers accept) or WHEN_SUPPORTED (AWS's default)
     * @param presignDownloads download links go straight to the bucket rather than through this server
     */
    public record S3(URI endpoint, @DefaultValue("us-east-1") String region, String bucket,
            @DefaultValue("") String prefix, String accessKey, String secretKey,
            @DefaultValue("true") boolean pathStyle, @DefaultValue("WHEN_REQUIRED") String checksums,
            @DefaultValue("false") boolean presignDownloads) {
    }
}
