package dev.trackstack.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;
import tools.jackson.databind.json.JsonMapper;

/** The prompt registry over GraphQL, on a server that needs no token (everybody may do everything). */
class PromptTests extends ApiTest {

    private static final String NAME = "support/triage";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Map<String, Object> input(String text, Map<String, Object> config, String message) {
        Map<String, Object> input = new HashMap<>();
        input.put("project", project);
        input.put("name", NAME);
        input.put("text", text);
        input.put("config", config);
        input.put("commitMessage", message);
        return input;
    }

    private GraphQlTester.Response save(Map<String, Object> input) {
        return graphQl.documentName("savePrompt").variable("input", input).execute();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> saved(Map<String, Object> input) {
        return save(input).path("savePrompt").entity(Map.class).get();
    }

    private int savedVersion(String text) {
        return version(saved(input(text, Map.of("model", "gpt-4o"), null)));
    }

    @SuppressWarnings("unchecked")
    private static int version(Map<String, Object> saved) {
        return (Integer) ((Map<String, Object>) saved.get("version")).get("version");
    }

    private GraphQlTester.Request<?> get(String label, Integer version) {
        return graphQl.documentName("prompt").variable("project", project).variable("name", NAME)
                .variable("label", label).variable("version", version);
    }

    private GraphQlTester.Response move(String label, int version, Integer expected) {
        return graphQl.documentName("movePromptLabel").variable("project", project).variable("name", NAME)
                .variable("label", label).variable("version", version).variable("expectedVersion", expected)
                .execute();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldNumberVersionsAndKeepTheirContentAndVariables() {
        Map<String, Object> first = saved(input("Classify: {{ ticket }} for {{customer}}; {{ticket}} again",
                Map.of("model", "gpt-4o", "temperature", 0.2), "first"));
        assertThat(first).containsEntry("created", true);
        Map<String, Object> version = (Map<String, Object>) first.get("version");
        assertThat(version).containsEntry("version", 1).containsEntry("type", "TEXT").containsEntry("name", NAME)
                .containsEntry("variables", List.of("ticket", "customer")).containsEntry("commitMessage", "first")
                .containsEntry("createdBy", "anybody").containsEntry("labels", List.of("latest"))
                .containsEntry("config", Map.of("model", "gpt-4o", "temperature", 0.2));

        assertThat(savedVersion("Second {{x}}")).isEqualTo(2);
        assertThat(savedVersion("Third")).isEqualTo(3);
        // Version 1 is as it was saved.
        get(null, 1).execute().path("prompt.text").entity(String.class)
                .isEqualTo("Classify: {{ ticket }} for {{customer}}; {{ticket}} again");
        get("latest", null).execute().path("prompt.version").entity(Integer.class).isEqualTo(3);
        assertThat(graphQl.documentName("promptVersions").variable("project", project).variable("name", NAME)
                .execute().path("promptVersions.edges[*].node.version").entityList(Integer.class).get())
                .containsExactly(3, 2, 1);
    }

    @Test
    void shouldAnswerTheExistingVersionForTheSameContent() {
        saved(input("Hello {{name}}", new java.util.LinkedHashMap<>(Map.of("model", "m", "temperature", 1)), "a"));
        savedVersion("Other");
        // Same template and config (keys in another order), another commit message: version 1 again.
        Map<String, Object> again = saved(input("Hello {{name}}", Map.of("temperature", 1, "model", "m"), "b"));
        assertThat(again).containsEntry("created", false);
        assertThat(version(again)).isEqualTo(1);
        // A different config is new content.
        assertThat(version(saved(input("Hello {{name}}", Map.of("model", "m", "temperature", 0.5), null))))
                .isEqualTo(3);
        assertThat(jdbc.queryForObject("select count(*) from prompt_version v join prompt p on p.id = v.prompt_id "
                + "join project pr on pr.id = p.project_id where pr.name = ?", Integer.class, project)).isEqualTo(3);
    }

    @Test
    void shouldRefuseToChangeAVersionInTheDatabase() {
        savedVersion("Immutable");
        assertThatThrownBy(() -> jdbc.update("update prompt_version set commit_message = 'x' where prompt_id = "
                + "(select p.id from prompt p join project pr on pr.id = p.project_id where pr.name = ?)", project))
                .hasMessageContaining("immutable");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldSaveChatPromptsAndKeepTheirTypeFixed() {
        Map<String, Object> input = input(null, null, null);
        input.put("messages", List.of(Map.of("role", "system", "content", "You are {{persona}}."),
                Map.of("role", "user", "content", "{{question}}")));
        Map<String, Object> version = (Map<String, Object>) saved(input).get("version");
        assertThat(version).containsEntry("type", "CHAT").containsEntry("text", null)
                .containsEntry("variables", List.of("persona", "question")).containsEntry("config", Map.of());
        assertThat((List<Map<String, Object>>) version.get("messages")).extracting(m -> m.get("role"))
                .containsExactly("system", "user");

        assertThat(errorCode(save(input("Now text", null, null)), "BAD_USER_INPUT")).contains("CHAT");
        Map<String, Object> typed = input(null, null, null);
        typed.put("type", "TEXT");
        typed.put("messages", List.of(Map.of("role", "user", "content", "x")));
        assertThat(errorCode(save(typed), "BAD_USER_INPUT")).contains("fixed");
    }

    @Test
    void shouldFetchProductionByDefaultAndSaySoWhenThereIsNone() {
        savedVersion("One");
        savedVersion("Two");
        assertThat(errorCode(get(null, null).execute(), "NOT_FOUND")).contains("production");
        move("production", 1, null).path("movePromptLabel.version").entity(Integer.class).isEqualTo(1);
        get(null, null).execute().path("prompt.version").entity(Integer.class).isEqualTo(1)
                .path("prompt.labels").entityList(String.class).containsExactly("production");
        assertThat(errorCode(get("staging", null).execute(), "NOT_FOUND")).contains("staging");
        assertThat(errorCode(get(null, 9).execute(), "NOT_FOUND")).contains("9");
        errorCode(get("production", 1).execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("prompt").variable("project", project).variable("name", "nope").execute(),
                "NOT_FOUND");
    }

    @Test
    void shouldMoveLabelsByCompareAndSetAndKeepTheirHistory() {
        savedVersion("One");
        savedVersion("Two");
        savedVersion("Three");
        move("staging", 1, null).path("movePromptLabel.updatedBy").entity(String.class).isEqualTo("anybody");
        // The label exists now: expecting none is a conflict, and so is expecting the wrong version.
        assertThat(errorCode(move("staging", 2, null), "CONFLICT")).contains("points at version 1");
        errorCode(move("staging", 2, 3), "CONFLICT");
        move("staging", 2, 1).path("movePromptLabel.version").entity(Integer.class).isEqualTo(2);
        errorCode(move("latest", 1, null), "BAD_USER_INPUT");
        errorCode(move("Not A Label", 1, null), "BAD_USER_INPUT");
        errorCode(move("staging", 7, 2), "NOT_FOUND");
        get("staging", null).execute().path("prompt.version").entity(Integer.class).isEqualTo(2);

        GraphQlTester.Response wrongDelete = graphQl.documentName("deletePromptLabel").variable("project", project)
                .variable("name", NAME).variable("label", "staging").variable("expectedVersion", 1).execute();
        errorCode(wrongDelete, "CONFLICT");
        graphQl.documentName("deletePromptLabel").variable("project", project).variable("name", NAME)
                .variable("label", "staging").variable("expectedVersion", 2).execute()
                .path("deletePromptLabel").entity(Boolean.class).isEqualTo(true);
        errorCode(get("staging", null).execute(), "NOT_FOUND");

        GraphQlTester.Response history = graphQl.documentName("promptLabelHistory").variable("project", project)
                .variable("name", NAME).variable("label", "staging").execute();
        history.path("promptLabelHistory.totalCount").entity(Integer.class).isEqualTo(3);
        assertThat(history.path("promptLabelHistory.edges[*].node").entityList(Map.class).get())
                .extracting(e -> e.get("fromVersion") + ">" + e.get("toVersion") + " " + e.get("actor"))
                .containsExactly("2>null anybody", "1>2 anybody", "null>1 anybody");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldListPromptsByNamePrefixWithTheirLabels() {
        for (String name : List.of("support/triage", "support/reply", "sales/pitch")) {
            Map<String, Object> input = input("Hi", null, null);
            input.put("name", name);
            saved(input);
        }
        move("production", 1, null);
        GraphQlTester.Response all = graphQl.documentName("prompts").variable("project", project)
                .variable("first", 2).execute();
        all.path("prompts.totalCount").entity(Integer.class).isEqualTo(3);
        all.path("prompts.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        assertThat(all.path("prompts.edges[*].node.name").entityList(String.class).get())
                .containsExactly("sales/pitch", "support/reply");
        GraphQlTester.Response folder = graphQl.documentName("prompts").variable("project", project)
                .variable("namePrefix", "support/").execute();
        List<Map<String, Object>> nodes = folder.path("prompts.edges[*].node").entityList(Map.class).get()
                .stream().map(n -> (Map<String, Object>) n).toList();
        assertThat(nodes).extracting(n -> n.get("name")).containsExactly("support/reply", "support/triage");
        assertThat((List<Map<String, Object>>) nodes.get(1).get("labels")).extracting(l -> l.get("label"))
                .containsExactly("latest", "production");
        graphQl.documentName("prompts").variable("project", project).variable("namePrefix", "s_").execute()
                .path("prompts.totalCount").entity(Integer.class).isEqualTo(0);
    }

    @Test
    void shouldRefuseBadInputWithACodeAndWriteNothing() {
        assertThat(errorCode(save(input(null, null, null)), "BAD_USER_INPUT")).contains("one of the two");
        errorCode(save(input("", null, null)), "BAD_USER_INPUT");
        errorCode(save(input("x".repeat(100_001), null, null)), "LIMIT_EXCEEDED");
        errorCode(save(input("ok", Map.of("big", "x".repeat(70_000)), null)), "LIMIT_EXCEEDED");
        errorCode(save(input("ok", null, "m".repeat(5_000))), "LIMIT_EXCEEDED");
        Map<String, Object> listConfig = input("ok", null, null);
        listConfig.put("config", List.of(1, 2));
        assertThat(errorCode(save(listConfig), "BAD_USER_INPUT")).contains("JSON object");
        Map<String, Object> nul = input("nul \u0000 here", null, null);
        errorCode(save(nul), "BAD_USER_INPUT");
        for (String name : List.of("/lead", "trail/", "a//b", "n".repeat(257), " ", "tab\there")) {
            Map<String, Object> bad = input("ok", null, null);
            bad.put("name", name);
            errorCode(save(bad), "BAD_USER_INPUT");
        }
        Map<String, Object> role = input(null, null, null);
        role.put("messages", List.of(Map.of("role", "", "content", "x")));
        errorCode(save(role), "BAD_USER_INPUT");
        assertThat(jdbc.queryForObject("select count(*) from prompt p join project pr on pr.id = p.project_id "
                + "where pr.name = ?", Integer.class, project)).isZero();
    }

    /** Runs these GraphQL documents at once, each on its own connection; answers the response bodies. */
    private List<String> concurrently(List<String> documents) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(documents.size());
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (String document : documents) {
                sent.add(pool.submit(() -> postGraphQl(port, JSON.writeValueAsString(Map.of("query", document)))));
            }
            List<String> bodies = new ArrayList<>();
            for (Future<HttpResponse<String>> response : sent) {
                bodies.add(response.get().body());
            }
            return bodies;
        } finally {
            pool.shutdown();
        }
    }

    /** Eight saves at once: distinct content gets distinct numbers; the same content, one version. */
    @Test
    void shouldNumberConcurrentSavesWithoutGapsOrDuplicates() throws Exception {
        List<String> saves = List.of("a", "b", "c", "d", "same", "same", "same", "same").stream()
                .map(text -> "mutation { savePrompt(input: {project: \"%s\", name: \"%s\", text: \"%s\"}) { created } }"
                        .formatted(project, NAME, text)).toList();
        assertThat(concurrently(saves)).allSatisfy(body -> assertThat(body).contains("\"created\"")
                .doesNotContain("errors"));
        assertThat(graphQl.documentName("promptVersions").variable("project", project).variable("name", NAME)
                .execute().path("promptVersions.edges[*].node.version").entityList(Integer.class).get())
                .containsExactly(5, 4, 3, 2, 1);
    }

    /** Four editors make the same label at once, each believing it absent: one wins, the others hear CONFLICT. */
    @Test
    void shouldLetOneOfConcurrentLabelMovesWin() throws Exception {
        savedVersion("One");
        String move = "mutation { movePromptLabel(project: \"%s\", name: \"%s\", label: \"staging\", version: 1) "
                .formatted(project, NAME) + "{ version } }";
        assertThat(concurrently(List.of(move, move, move, move))).filteredOn(body -> body.contains("CONFLICT"))
                .hasSize(3);
        graphQl.documentName("promptLabelHistory").variable("project", project).variable("name", NAME).execute()
                .path("promptLabelHistory.totalCount").entity(Integer.class).isEqualTo(1);
    }

    @Test
    void shouldProtectProductionByDefaultButLetEverybodyMoveItWithoutTokens() {
        savedVersion("One");
        graphQl.documentName("protectedPromptLabels").variable("project", project).execute()
                .path("protectedPromptLabels").entityList(String.class).containsExactly("production");
        move("production", 1, null).path("movePromptLabel.isProtected").entity(Boolean.class).isEqualTo(true);
        graphQl.documentName("setProtectedPromptLabels").variable("project", project)
                .variable("labels", List.of("staging", "production", "staging")).execute()
                .path("setProtectedPromptLabels").entityList(String.class).containsExactly("production", "staging");
        errorCode(graphQl.documentName("setProtectedPromptLabels").variable("project", project)
                .variable("labels", List.of("latest")).execute(), "BAD_USER_INPUT");
    }
}
