package dev.trackstack.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/** On a server that requires API tokens: who may save, read and move labels, protected ones above all. */
class PromptAccessTests extends ApiTest {

    private SecuredServer server;

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
    }

    private GraphQlTester.Response save(HttpGraphQlTester client, String project, String text) {
        return client.documentName("savePrompt").variable("input", Map.of("project", project, "name", "qa",
                "text", text)).execute();
    }

    private GraphQlTester.Response move(HttpGraphQlTester client, String label, int version, Integer expected) {
        return client.documentName("movePromptLabel").variable("project", project).variable("name", "qa")
                .variable("label", label).variable("version", version).variable("expectedVersion", expected)
                .execute();
    }

    @Test
    void shouldLetOnlyMaintainTokensMoveProtectedLabels() {
        HttpGraphQlTester read = server.graphQl(server.createToken("READ", null));
        HttpGraphQlTester write = server.graphQl(server.createToken("WRITE", null));
        HttpGraphQlTester maintain = server.graphQl(server.createToken("MAINTAIN", null));

        errorCode(save(read, project, "one"), "FORBIDDEN");
        save(write, project, "one").path("savePrompt.version.createdBy").entity(String.class)
                .satisfies(by -> assertThat(by).startsWith("token ").endsWith("(test)"));
        save(maintain, project, "two").path("savePrompt.version.version").entity(Integer.class).isEqualTo(2);

        errorCode(move(read, "staging", 1, null), "FORBIDDEN");
        move(write, "staging", 1, null).path("movePromptLabel.isProtected").entity(Boolean.class).isEqualTo(false);
        assertThat(errorCode(move(write, "production", 1, null), "FORBIDDEN")).contains("MAINTAIN");
        move(maintain, "production", 1, null).path("movePromptLabel.version").entity(Integer.class).isEqualTo(1);
        server.admin().documentName("movePromptLabel").variable("project", project).variable("name", "qa")
                .variable("label", "production").variable("version", 2).variable("expectedVersion", 1).execute()
                .path("movePromptLabel.updatedBy").entity(String.class).isEqualTo("admin");
        errorCode(write.documentName("deletePromptLabel").variable("project", project).variable("name", "qa")
                .variable("label", "production").variable("expectedVersion", 2).execute(), "FORBIDDEN");

        // Protecting staging too is for MAINTAIN tokens; then WRITE tokens cannot move it either.
        errorCode(write.documentName("setProtectedPromptLabels").variable("project", project)
                .variable("labels", List.of("production", "staging")).execute(), "FORBIDDEN");
        maintain.documentName("setProtectedPromptLabels").variable("project", project)
                .variable("labels", List.of("production", "staging")).execute()
                .path("setProtectedPromptLabels").entityList(String.class).containsExactly("production", "staging");
        errorCode(move(write, "staging", 2, 1), "FORBIDDEN");

        read.documentName("prompt").variable("project", project).variable("name", "qa").execute()
                .path("prompt.version").entity(Integer.class).isEqualTo(2);
        assertThat(read.documentName("promptLabelHistory").variable("project", project).variable("name", "qa")
                .execute().path("promptLabelHistory.edges[*].node.actor").entityList(String.class).get())
                .containsExactly("admin", "token " + tokenId("MAINTAIN") + " (test)",
                        "token " + tokenId("WRITE") + " (test)");
    }

    /** The newest token of this scope (each test makes its own, after those of earlier tests). */
    private long tokenId(String scope) {
        return jdbc.queryForObject("select max(id) from api_token where scope = ?", Long.class, scope);
    }

    @Test
    void shouldKeepAProjectTokenToItsProjects() {
        String other = project + "-other";
        save(server.admin(), other, "theirs");
        HttpGraphQlTester mine = server.graphQl(server.createToken("MAINTAIN", List.of(project)));

        save(mine, project, "mine").path("savePrompt.created").entity(Boolean.class).isEqualTo(true);
        errorCode(save(mine, other, "not mine"), "FORBIDDEN");
        mine.documentName("prompt").variable("project", other).variable("name", "qa").variable("label", "latest")
                .execute().path("prompt").valueIsNull();
        mine.documentName("prompts").variable("project", other).execute().path("prompts").valueIsNull();
        mine.documentName("promptVersions").variable("project", other).variable("name", "qa").execute()
                .path("promptVersions").valueIsNull();
        mine.documentName("protectedPromptLabels").variable("project", other).execute()
                .path("protectedPromptLabels").valueIsNull();
        errorCode(mine.documentName("movePromptLabel").variable("project", other).variable("name", "qa")
                .variable("label", "staging").variable("version", 1).execute(), "FORBIDDEN");
        errorCode(mine.documentName("setProtectedPromptLabels").variable("project", other)
                .variable("labels", List.of()).execute(), "FORBIDDEN");
        mine.documentName("prompts").variable("project", project).execute().path("prompts.totalCount")
                .entity(Integer.class).isEqualTo(1);
    }
}
