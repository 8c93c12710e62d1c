package dev.trackstack.prompt;

import java.util.List;

import dev.trackstack.system.Page;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

/** The prompt registry's GraphQL fields (graphql/prompt.graphqls); AccessGuard keeps tokens to their projects. */
@Controller
class PromptController {

    private final Prompts prompts;

    PromptController(Prompts prompts) {
        this.prompts = prompts;
    }

    @QueryMapping
    Page<Prompt> prompts(@Argument String project, @Argument String namePrefix, @Argument Integer first,
            @Argument String after) {
        return prompts.list(project, namePrefix, first, after);
    }

    @QueryMapping
    PromptVersion prompt(@Argument String project, @Argument String name, @Argument String label,
            @Argument Integer version) {
        return prompts.resolve(project, name, label, version);
    }

    @QueryMapping
    Page<PromptVersion> promptVersions(@Argument String project, @Argument String name, @Argument Integer first,
            @Argument String after) {
        return prompts.versions(project, name, first, after);
    }

    @QueryMapping
    Page<PromptLabelEvent> promptLabelHistory(@Argument String project, @Argument String name,
            @Argument String label, @Argument Integer first, @Argument String after) {
        return prompts.history(project, name, label, first, after);
    }

    @QueryMapping
    List<String> protectedPromptLabels(@Argument String project) {
        return prompts.protectedLabels(project);
    }

    @MutationMapping
    SavedPrompt savePrompt(@Argument SavePromptInput input) {
        return prompts.save(input);
    }

    @MutationMapping
    PromptLabel movePromptLabel(@Argument String project, @Argument String name, @Argument String label,
            @Argument int version, @Argument Integer expectedVersion) {
        return prompts.move(project, name, label, version, expectedVersion);
    }

    @MutationMapping
    boolean deletePromptLabel(@Argument String project, @Argument String name, @Argument String label,
            @Argument int expectedVersion) {
        return prompts.delete(project, name, label, expectedVersion);
    }

    @MutationMapping
    List<String> setProtectedPromptLabels(@Argument String project, @Argument List<String> labels) {
        return prompts.setProtected(project, labels);
    }

    @SchemaMapping(typeName = "PromptVersion", field = "labels")
    List<String> versionLabels(PromptVersion version) {
        return prompts.labelsOf(version);
    }

    @SchemaMapping(typeName = "PromptVersion", field = "prompt")
    Prompt versionPrompt(PromptVersion version) {
        return prompts.prompt(version.promptId());
    }

    @SchemaMapping(typeName = "Prompt", field = "labels")
    List<PromptLabel> promptLabels(Prompt prompt) {
        return prompts.labels(prompt.id());
    }
}
