package dev.trackstack.artifact;

import java.util.List;

/** logArtifact's answer: the version, or the blobs to upload first. */
record LoggedArtifact(ArtifactVersion version, boolean created, List<String> missingBlobs) {
}
