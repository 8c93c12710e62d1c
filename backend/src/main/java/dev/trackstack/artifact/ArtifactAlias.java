package dev.trackstack.artifact;

record ArtifactAlias(String alias, int version) {
}
