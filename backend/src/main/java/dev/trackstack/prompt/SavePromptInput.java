package dev.trackstack.prompt;

import java.util.List;

/** GraphQL input SavePromptInput; {@code config} is any JSON value here, checked to be an object. */
record SavePromptInput(String project, String name, PromptType type, String text, List<PromptMessage> messages,
        Object config, String commitMessage) {
}
