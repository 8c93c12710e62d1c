package dev.trackstack.prompt;

import java.time.OffsetDateTime;

/** A label of a prompt and the version it points at; {@code updatedBy} is null for the computed `latest`. */
record PromptLabel(String label, int version, boolean isProtected, String updatedBy, OffsetDateTime updatedAt) {
}
