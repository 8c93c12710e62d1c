package dev.trackstack.prompt;

import java.time.OffsetDateTime;

/** One move of a label: made (fromVersion null), moved, or deleted (toVersion null). */
record PromptLabelEvent(String label, Integer fromVersion, Integer toVersion, String actor, OffsetDateTime at) {
}
