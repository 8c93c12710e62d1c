package dev.trackstack.prompt;

/** TEXT: one template text; CHAT: a list of messages. Fixed when the prompt is made. */
public enum PromptType { TEXT, CHAT }
