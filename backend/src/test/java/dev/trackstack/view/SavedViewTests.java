package dev.trackstack.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class SavedViewTests extends ApiTest {

    private static final String SAVE = """
            mutation($p: String!, $n: String!, $s: JSON!) {
              saveView(project: $p, name: $n, state: $s) { name state createdAt updatedAt updatedBy }
            }""";
    private static final String LIST = "query($p: String!) { savedViews(project: $p) { name state } }";

    private GraphQlTester.Response save(String name, Object state) {
        return graphQl.document(SAVE).variable("p", project).variable("n", name).variable("s", state).execute();
    }

    @Test
    void shouldSaveReplaceListAndDeleteViewsByName() {
        Map<String, Object> compare = Map.of("runs", List.of("1", "2"), "hidden", List.of("2"), "smoothing", 0.6);
        save("lr sweep", compare).path("saveView.state").entity(Map.class).isEqualTo(compare)
                .path("saveView.updatedBy").entity(String.class).isEqualTo("anybody");
        save("baseline", Map.of("runs", List.of("3")));
        Map<String, Object> replaced = Map.of("runs", List.of("1"));
        save("lr sweep", replaced);

        graphQl.document(LIST).variable("p", project).execute()
                .path("savedViews[*].name").entityList(String.class).containsExactly("baseline", "lr sweep")
                .path("savedViews[1].state").entity(Map.class).isEqualTo(replaced);

        String delete = "mutation($p: String!, $n: String!) { deleteView(project: $p, name: $n) }";
        graphQl.document(delete).variable("p", project).variable("n", "baseline").execute()
                .path("deleteView").entity(Boolean.class).isEqualTo(true);
        graphQl.document(delete).variable("p", project).variable("n", "baseline").execute()
                .path("deleteView").entity(Boolean.class).isEqualTo(false);
        graphQl.document(LIST).variable("p", project).execute()
                .path("savedViews[*].name").entityList(String.class).containsExactly("lr sweep");
        graphQl.document(LIST).variable("p", project + "-none").execute()
                .path("savedViews").entityList(Object.class).hasSize(0);
    }

    @Test
    void shouldRefuseBadNamesStatesAndTooManyViews() {
        errorCode(save(" ", Map.of()), "BAD_USER_INPUT");
        errorCode(save("v".repeat(SavedViewController.MAX_NAME_CHARS + 1), Map.of()), "LIMIT_EXCEEDED");
        assertThat(errorCode(save("list", List.of(1, 2)), "BAD_USER_INPUT")).contains("JSON object");
        errorCode(save("big", Map.of("x", "y".repeat(SavedViewController.MAX_STATE_CHARS))), "LIMIT_EXCEEDED");
        // Refused, they wrote nothing, not even the project.
        assertThat(jdbc.queryForObject("select count(*)::int from project where name = ?", Integer.class, project))
                .isZero();

        save("v0", Map.of());
        long projectId = Long.parseLong(jdbc.queryForObject("select id::text from project where name = ?", String.class,
                project));
        jdbc.update("insert into saved_view (project_id, name, state, updated_by) "
                + "select ?, 'v' || i, '{}', 'test' from generate_series(1, ?) i", projectId,
                SavedViewController.MAX_VIEWS_PER_PROJECT - 1);
        errorCode(save("one more", Map.of()), "LIMIT_EXCEEDED");
        save("v1", Map.of("replaced", true)).path("saveView.name").entity(String.class).isEqualTo("v1");
        assertThat(jdbc.queryForObject("select count(*)::int from saved_view where project_id = ?", Integer.class,
                projectId)).isEqualTo(SavedViewController.MAX_VIEWS_PER_PROJECT);
    }
}
