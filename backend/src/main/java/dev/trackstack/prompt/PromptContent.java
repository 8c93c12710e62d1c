package dev.trackstack.prompt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.CanonicalJson;
import dev.trackstack.system.Sha256;
import tools.jackson.databind.json.JsonMapper;

/**
 * The content of one save, checked against the limits (graphql/prompt.graphqls): the template as JSON (a string
 * for TEXT, [{role, content}] for CHAT), the config as a JSON object, the variables, and the SHA-256 of the
 * canonical JSON of type, template and config (object keys sorted), by which an identical save finds its version.
 */
record PromptContent(PromptType type, String templateJson, String configJson, List<String> variables,
        byte[] sha256) {

    static final int TEMPLATE_CHARS = 100_000;
    static final int MESSAGES = 500;
    static final int ROLE_CHARS = 64;
    static final int CONFIG_CHARS = 65_536;
    static final int COMMIT_MESSAGE_CHARS = 4_096;

    /** {{name}}, with spaces allowed inside the braces: the mustache variables the clients' compile fills in. */
    static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    /** The content of {@code input} for a prompt of {@code type} (the prompt's, or the one inferred). */
    static PromptContent of(SavePromptInput input, PromptType type, JsonMapper json) {
        if ((input.text() == null) == (input.messages() == null)) {
            throw ApiException.badInput("Give the template as text (TEXT prompt) or as messages (CHAT prompt), "
                    + "one of the two");
        }
        Object template;
        List<String> texts = new ArrayList<>();
        if (type == PromptType.TEXT) {
            if (input.text() == null) {
                throw ApiException.badInput("Prompt " + input.name() + " is a TEXT prompt: give text, not messages");
            }
            if (input.text().isEmpty()) {
                throw ApiException.badInput("text must not be empty");
            }
            template = input.text();
            texts.add(input.text());
        } else {
            if (input.messages() == null) {
                throw ApiException.badInput("Prompt " + input.name() + " is a CHAT prompt: give messages, not text");
            }
            if (input.messages().isEmpty()) {
                throw ApiException.badInput("messages must hold at least one message");
            }
            if (input.messages().size() > MESSAGES) {
                throw ApiException.limit("messages: " + input.messages().size(), MESSAGES);
            }
            List<Map<String, String>> messages = new ArrayList<>();
            for (PromptMessage message : input.messages()) {
                if (message.role().isBlank() || message.role().length() > ROLE_CHARS) {
                    throw ApiException.badInput("A message's role must be 1 to " + ROLE_CHARS + " characters");
                }
                Map<String, String> m = new LinkedHashMap<>();
                m.put("role", message.role());
                m.put("content", message.content());
                messages.add(m);
                texts.add(message.content());
            }
            template = messages;
        }
        String templateJson = json.writeValueAsString(template);
        if (templateJson.length() > TEMPLATE_CHARS) {
            throw ApiException.limit("The template of " + templateJson.length() + " characters (as JSON)",
                    TEMPLATE_CHARS);
        }
        Object config = input.config() == null ? Map.of() : input.config();
        if (!(config instanceof Map<?, ?>)) {
            throw ApiException.badInput("config must be a JSON object, such as {\"model\": \"gpt-4o\"}");
        }
        String configJson = json.writeValueAsString(CanonicalJson.sorted(config));
        if (configJson.length() > CONFIG_CHARS) {
            throw ApiException.limit("The config of " + configJson.length() + " characters (as JSON)", CONFIG_CHARS);
        }
        if (input.commitMessage() != null && input.commitMessage().length() > COMMIT_MESSAGE_CHARS) {
            throw ApiException.limit("The commit message of " + input.commitMessage().length() + " characters",
                    COMMIT_MESSAGE_CHARS);
        }
        Map<String, Object> content = new TreeMap<>(Map.of("type", type.name(), "template", template,
                "config", CanonicalJson.sorted(config)));
        return new PromptContent(type, templateJson, configJson, variables(texts),
                Sha256.of(json.writeValueAsString(content)));
    }

    /** The distinct variables of the texts, in the order they first appear. */
    static List<String> variables(List<String> texts) {
        Set<String> names = new LinkedHashSet<>();
        for (String text : texts) {
            Matcher matcher = VARIABLE.matcher(text);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return List.copyOf(names);
    }
}
