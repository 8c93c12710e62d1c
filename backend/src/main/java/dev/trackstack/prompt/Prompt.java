package dev.trackstack.prompt;

import java.time.OffsetDateTime;

/** A prompt of a project (GraphQL type Prompt); its labels are read when asked for. */
record Prompt(long id, String project, String name, PromptType type, OffsetDateTime createdAt, int latestVersion) {
}
