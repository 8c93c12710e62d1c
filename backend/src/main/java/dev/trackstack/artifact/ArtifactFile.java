package dev.trackstack.artifact;

/** A file of a version; its downloadUrl is signed when asked for. */
record ArtifactFile(String project, String path, long size, String sha256) {
}
