package dev.trackstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.springframework.graphql.test.tester.GraphQlTester;

/** Assertions on GraphQL answers shared by the slice and integration tests. */
public final class GraphQlAssertions {

    private GraphQlAssertions() {
    }

    /** Asserts that the response failed with exactly one error of this code, and answers its message. */
    public static String errorCode(GraphQlTester.Response response, String code) {
        String[] message = new String[1];
        response.errors().satisfy(errors -> {
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0).getExtensions()).containsEntry("code", code);
            message[0] = errors.get(0).getMessage();
        });
        return message[0];
    }
}
