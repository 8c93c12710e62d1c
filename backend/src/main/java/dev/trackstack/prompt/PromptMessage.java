package dev.trackstack.prompt;

/** One message of a CHAT template, as saved and as shown. */
record PromptMessage(String role, String content) {
}
