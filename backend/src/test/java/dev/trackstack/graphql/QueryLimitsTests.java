package dev.trackstack.graphql;

import static dev.trackstack.GraphQlAssertions.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.WebGraphQlTester;
import org.springframework.stereotype.Controller;

/**
 * The limits on a document as a whole, and the codes of documents refused before they run: no field of these
 * requests is called, so the slice has no controller at all. Documents here are generated to cross a limit, or
 * malformed on purpose, so they stay inline.
 */
@GraphQlTest(excludeFilters = @ComponentScan.Filter(Controller.class))
@Import(GraphQlSlice.class)
class QueryLimitsTests {

    @Autowired
    private WebGraphQlTester graphQl;

    @BeforeEach
    void actAsAdmin() {
        GraphQlSlice.actAsAdmin();
    }

    @AfterEach
    void forgetCaller() {
        GraphQlSlice.forgetCaller();
    }

    @Test
    void shouldGiveSyntaxAndValidationErrorsACode() {
        assertThat(errorCode(graphQl.document("{ projects { name ").execute(), "BAD_USER_INPUT"))
                .contains("Invalid syntax");
        errorCode(graphQl.document("{ noSuchField }").execute(), "BAD_USER_INPUT");
        errorCode(graphQl.document("query($n: Int) { runs(first: $n) { totalCount } }").variable("n", "ten").execute(),
                "BAD_USER_INPUT");
    }

    @Test
    void shouldRefuseADocumentNestedBeyondTheDepthLimit() {
        String deep = "{ projects { " + "models { project { ".repeat(8) + "name" + " } }".repeat(8) + " } }";
        assertThat(errorCode(graphQl.document(deep).execute(), "LIMIT_EXCEEDED"))
                .isEqualTo("maximum query depth exceeded 18 > 15");
    }

    @Test
    void shouldRefuseADocumentWithMoreFieldsThanTheComplexityLimit() {
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 600; i++) {
            wide.append(" p").append(i).append(": projects { name }");
        }
        String message = errorCode(graphQl.document(wide.append(" }").toString()).execute(), "LIMIT_EXCEEDED");
        assertThat(message).isEqualTo("maximum query complexity exceeded 1200 > 1000");
        String oneFieldRepeated = "{ projects { " + "name ".repeat(1000) + "} }";
        assertThat(errorCode(graphQl.document(oneFieldRepeated).execute(), "LIMIT_EXCEEDED")).contains("1000");
    }

    @Test
    void shouldNameTheLimitOfSortKeysAndFilters() {
        List<Map<String, Object>> sortKeys = new ArrayList<>();
        List<Map<String, Object>> metricFilters = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            sortKeys.add(Map.of("field", "PARAM", "param", "p" + i, "direction", "ASC"));
        }
        for (int i = 0; i < 12_000; i++) {
            metricFilters.add(Map.of("name", "m" + i, "op", "LT", "value", i));
        }
        assertThat(errorCode(runs(Map.of(), sortKeys), "LIMIT_EXCEEDED")).contains("17 sort keys", "limit of 16");
        assertThat(errorCode(runs(Map.of("metrics", metricFilters), List.of()), "LIMIT_EXCEEDED"))
                .contains("12000 parameter and metric filters", "limit of 64");
        List<Map<String, Object>> paramFilters = Collections.nCopies(40, Map.of("key", "lr", "op", "LT", "value", 1));
        assertThat(errorCode(runs(Map.of("params", paramFilters, "metrics", metricFilters.subList(0, 25)), List.of()),
                "LIMIT_EXCEEDED")).contains("65 parameter and metric filters");
        // On Model.runs as well.
        assertThat(errorCode(graphQl.document("query($o: [RunOrder!]) { projects { models { runs(orderBy: $o) "
                + "{ totalCount } } } }").variable("o", sortKeys).execute(), "LIMIT_EXCEEDED")).contains("limit of 16");
    }

    /** Documents are parsed and validated once per text (ParsedDocuments); the limits depend on the variables. */
    @Test
    void shouldCheckADocumentSentAgainAsTheFirstTime() {
        List<Map<String, Object>> sortKeys = Collections.nCopies(17, Map.of("field", "NAME", "direction", "ASC"));
        for (int i = 0; i < 2; i++) {
            errorCode(graphQl.document("{ noSuchField }").execute(), "BAD_USER_INPUT");
            assertThat(errorCode(runs(Map.of(), sortKeys), "LIMIT_EXCEEDED")).contains("17 sort keys");
            runs(Map.of(), sortKeys.subList(0, 16)).errors().satisfy(errors -> assertThat(errors)
                    .noneMatch(e -> "LIMIT_EXCEEDED".equals(e.getExtensions().get("code"))));
        }
    }

    @Test
    void shouldRefuseTextThatCannotBeStoredBeforeAnyFieldRuns() {
        assertThat(errorCode(graphQl.document("query($name: String!) { project(name: $name) { name } }")
                .variable("name", "a\u0000b").execute(), "BAD_USER_INPUT")).contains("'name' of project");
        assertThat(errorCode(graphQl.document("mutation($name: String!) { deleteProject(name: $name) }")
                .variable("name", "\udc00b").execute(), "BAD_USER_INPUT")).contains("unpaired surrogate");
    }

    @Test
    void shouldRefuseAJsonLiteralBeyondTheDoubleRange() {
        for (String literal : List.of("{lr: 1e400}", "{lr: -1e999999}", "{a: [1, {b: 1e400}]}")) {
            String message = errorCode(graphQl.document("mutation { createRun(modelId: \"1\", "
                    + "hyperparameters: " + literal + ") { id } }").execute(), "BAD_USER_INPUT");
            assertThat(message).as(literal).contains("out of range").doesNotContain("ERROR", "numeric");
        }
        errorCode(graphQl.document("{ runs(filter: {params: [{key: \"lr\", op: EQ, value: 1e400}]}) { totalCount } }")
                .execute(), "BAD_USER_INPUT");
    }

    private GraphQlTester.Response runs(Map<String, Object> filter, List<Map<String, Object>> orderBy) {
        return graphQl.documentName("runs").variable("filter", filter).variable("orderBy", orderBy).execute();
    }
}
