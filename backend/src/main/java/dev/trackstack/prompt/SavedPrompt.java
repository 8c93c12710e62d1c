package dev.trackstack.prompt;

/** What savePrompt answers: the version, and whether this save made it. */
record SavedPrompt(PromptVersion version, boolean created) {
}
