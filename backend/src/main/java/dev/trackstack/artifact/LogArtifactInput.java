package dev.trackstack.artifact;

import java.util.List;

/** logArtifact's input (graphql/artifact.graphqls). */
record LogArtifactInput(String project, String name, String type, String runId, List<ArtifactFileInput> files,
        List<String> aliases, Object metadata, String description) {

    record ArtifactFileInput(String path, long size, String sha256) {
    }
}
