package dev.trackstack.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class DatasetTests extends EvalTest {

    @Test
    void shouldAddressItemsByContentAndMakeAVersionOnlyForNewOnes() {
        GraphQlTester.Response first = addItems("qa", List.of(item("a", "A"), item("b", "B"), item("a", "A")));
        first.path("addDatasetItems.created").entity(Boolean.class).isEqualTo(true)
                .path("addDatasetItems.version.version").entity(Integer.class).isEqualTo(1)
                .path("addDatasetItems.version.itemCount").entity(Integer.class).isEqualTo(2)
                .path("addDatasetItems.version.dataset.project").entity(String.class).isEqualTo(project);
        List<String> ids = first.path("addDatasetItems.itemIds").entityList(String.class).get();
        assertThat(ids).hasSize(3).allMatch(id -> id.matches("[0-9a-f]{64}"));
        assertThat(ids.get(0)).isEqualTo(ids.get(2)).isNotEqualTo(ids.get(1));
        // The id is the documented hash of the canonical JSON.
        assertThat(ids.get(0)).isEqualTo(EvalJson.contentId("\"a\"", "\"A\"", "null"));

        // A retry changes nothing; keys in another order are the same content.
        addItems("qa", List.of(item("b", "B"))).path("addDatasetItems.created").entity(Boolean.class).isEqualTo(false)
                .path("addDatasetItems.version.version").entity(Integer.class).isEqualTo(1);
        Map<String, Object> ordered = item(Map.of("x", 1, "y", List.of(Map.of("b", 2, "a", 1))), null);
        String id = addItems("qa", List.of(ordered)).path("addDatasetItems.itemIds[0]").entity(String.class).get();
        Map<String, Object> reordered = new HashMap<>();
        reordered.put("input", new TreeMap<>(Map.of("y", List.of(new TreeMap<>(Map.of("a", 1,
                "b", 2))), "x", 1)).descendingMap());
        GraphQlTester.Response again = addItems("qa", List.of(reordered));
        again.path("addDatasetItems.itemIds[0]").entity(String.class).isEqualTo(id)
                .path("addDatasetItems.created").entity(Boolean.class).isEqualTo(false);

        // Metadata is content: the same input with other metadata is another item.
        Map<String, Object> withMetadata = item("a", "A");
        withMetadata.put("metadata", Map.of("source", "manual"));
        addItems("qa", List.of(withMetadata)).path("addDatasetItems.version.version").entity(Integer.class)
                .isEqualTo(3).path("addDatasetItems.version.itemCount").entity(Integer.class).isEqualTo(4)
                .path("addDatasetItems.version.addedCount").entity(Integer.class).isEqualTo(1);

        String v2 = graphQl.documentName("dataset").variable("project", project).variable("name", "qa").execute()
                .path("dataset.versions.edges[*].node.version").entityList(Integer.class).containsExactly(3, 2, 1)
                .path("dataset.latestVersion.version").entity(Integer.class).isEqualTo(3)
                .path("dataset.versions.edges[1].node.id").entity(String.class).get();
        // Versions are immutable: version 2 still has its 3 items, in the order they were added.
        graphQl.documentName("datasetVersion").variable("id", v2).execute()
                .path("datasetVersion.items.totalCount").entity(Integer.class).isEqualTo(3)
                .path("datasetVersion.items.edges[*].node.id").entityList(String.class)
                .containsExactly(ids.get(0), ids.get(1), id)
                .path("datasetVersion.items.edges[2].node.input.y[0].b").entity(Integer.class).isEqualTo(2);
    }

    @Test
    void shouldRemoveItemsAsANewVersion() {
        Version v1 = dataset("d", 5);
        GraphQlTester.Response removed = graphQl.documentName("removeDatasetItems").variable("project", project)
                .variable("dataset", "d").variable("itemIds", List.of(v1.itemIds().get(1), "f".repeat(64)))
                .execute();
        removed.path("removeDatasetItems.created").entity(Boolean.class).isEqualTo(true)
                .path("removeDatasetItems.itemIds").entityList(String.class).containsExactly(v1.itemIds().get(1))
                .path("removeDatasetItems.version.itemCount").entity(Integer.class).isEqualTo(4)
                .path("removeDatasetItems.version.removedCount").entity(Integer.class).isEqualTo(1);
        String v2 = removed.path("removeDatasetItems.version.id").entity(String.class).get();
        graphQl.documentName("datasetVersion").variable("id", v2).variable("first", 2).execute()
                .path("datasetVersion.items.edges[*].node.id").entityList(String.class)
                .containsExactly(v1.itemIds().get(0), v1.itemIds().get(2))
                .path("datasetVersion.items.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        // Nothing left to remove: no new version.
        graphQl.documentName("removeDatasetItems").variable("project", project).variable("dataset", "d")
                .variable("itemIds", List.of(v1.itemIds().get(1))).execute()
                .path("removeDatasetItems.created").entity(Boolean.class).isEqualTo(false)
                .path("removeDatasetItems.version.id").entity(String.class).isEqualTo(v2);
        // Adding the removed item back appends it.
        graphQl.documentName("datasetVersion").variable("id", v1.id()).execute()
                .path("datasetVersion.items.totalCount").entity(Integer.class).isEqualTo(5);
        errorCode(graphQl.documentName("removeDatasetItems").variable("project", project).variable("dataset", "none")
                .variable("itemIds", List.of()).execute(), "NOT_FOUND");
        graphQl.documentName("datasets").variable("project", project).execute()
                .path("datasets.edges[*].node.name").entityList(String.class).containsExactly("d")
                .path("datasets.edges[0].node.latestVersion.version").entity(Integer.class).isEqualTo(2);
    }

    @Test
    void shouldRefuseBadItemsWithCodesAndStoreNothing() {
        Map<String, Object> noInput = item(null, "x");
        assertThat(errorCode(addItems("bad", List.of(item("ok", "ok"), noInput)), "BAD_USER_INPUT"))
                .contains("input");
        assertThat(errorCode(addItems("bad", List.of(item("x".repeat(1_048_577), null))), "LIMIT_EXCEEDED"))
                .contains("1048576");
        assertThat(errorCode(addItems("bad", Collections.nCopies(1001, item("a", null))),
                "LIMIT_EXCEEDED")).contains("1000");
        Map<String, Object> badSource = item("a", null);
        badSource.put("sourceTraceId", "xyz");
        badSource.put("sourceSpanId", "0123456789abcdef");
        assertThat(errorCode(addItems("bad", List.of(badSource)), "BAD_USER_INPUT")).contains("32 hex digits");
        assertThat(errorCode(graphQl.documentName("addDatasetItems").variable("project", project)
                .variable("dataset", "").variable("items", List.of(item("a", null))).execute(), "BAD_USER_INPUT"))
                .contains("dataset");
        assertThat(jdbc.queryForObject("select count(*) from eval_dataset d join project p on p.id = d.project_id"
                + " where p.name = ?", Integer.class, project)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from eval_item i join project p on p.id = i.project_id"
                + " where p.name = ?", Integer.class, project)).isZero();
    }
}
