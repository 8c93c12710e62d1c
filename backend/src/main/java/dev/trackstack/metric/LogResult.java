package dev.trackstack.metric;

public record LogResult(int accepted, int duplicates) {
}
