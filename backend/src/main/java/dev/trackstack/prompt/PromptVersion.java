package dev.trackstack.prompt;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * An immutable version of a prompt (GraphQL type PromptVersion). Public for the trace package, which answers its
 * usage and calls from the spans that name it.
 *
 * @param text     the template of a TEXT prompt, else null
 * @param messages the template of a CHAT prompt, else null
 * @param config   the JSON object saved with it
 */
public record PromptVersion(long promptId, long projectId, String project, String name, PromptType type,
        int version, String text, List<PromptMessage> messages, List<String> variables, Object config,
        String commitMessage, String createdBy, OffsetDateTime createdAt) {
}
