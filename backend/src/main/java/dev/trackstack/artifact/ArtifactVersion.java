package dev.trackstack.artifact;

import java.time.OffsetDateTime;

/** A version of an artifact; {@code runId} is the run that logged it, if any. */
public record ArtifactVersion(long id, long artifactId, String project, int version, String digest, long size,
        int fileCount, Object metadata, OffsetDateTime createdAt, Long runId) {
}
