package dev.trackstack.artifact;

/** What a project's artifacts take, each blob counted once. */
record ArtifactStorage(long bytes, int blobs, int versions) {
}
