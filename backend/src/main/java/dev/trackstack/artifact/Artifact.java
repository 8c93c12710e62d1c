package dev.trackstack.artifact;

import java.time.OffsetDateTime;

/** An artifact (graphql/artifact.graphqls); latestVersion and versionCount are read with it. */
public record Artifact(long id, String project, String name, String type, String description,
        OffsetDateTime createdAt, int latestVersion, int versionCount) {
}
