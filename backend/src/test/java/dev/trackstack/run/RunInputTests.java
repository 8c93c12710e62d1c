package dev.trackstack.run;

import static dev.trackstack.GraphQlAssertions.errorCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.trackstack.graphql.GraphQlSlice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.WebGraphQlTester;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * The limits RunController and RunSearch put on their arguments, at their default values, without a database:
 * the repositories are stubs that say the model and run exist, and a refused call must store nothing.
 */
@GraphQlTest(controllers = RunController.class)
@Import({GraphQlSlice.class, RunSearch.class, RunCreation.class})
@MockitoBean(types = {NamedParameterJdbcTemplate.class, RunDeletion.class, RunLifecycle.class})
class RunInputTests {

    private static final String NAME_257 = "n".repeat(257);
    private static final String RUN = "7";

    @Autowired
    private WebGraphQlTester graphQl;
    @MockitoBean
    private RunRepository runs;

    @BeforeEach
    void existingModelAndRun() {
        GraphQlSlice.actAsAdmin();
        when(runs.modelExists(anyLong())).thenReturn(true);
        when(runs.findById(Long.parseLong(RUN))).thenReturn(Optional.of(new Run(1L, RunKind.TRAINING, "r", "{}", List.of(), null)));
    }

    @AfterEach
    void forgetCaller() {
        GraphQlSlice.forgetCaller();
    }

    @Test
    void shouldNameTheLimitOfEveryTextArgumentOfARun() {
        assertThat(errorCode(createRun().variable("name", NAME_257).execute(), "LIMIT_EXCEEDED")).contains("256");
        assertThat(errorCode(createRun().variable("notes", "n".repeat(65_537)).execute(), "LIMIT_EXCEEDED"))
                .contains("65536");
        assertThat(errorCode(createRun().variable("tags", List.of(NAME_257)).execute(), "LIMIT_EXCEEDED"))
                .contains("256");
        assertThat(errorCode(updateRun().variable("name", NAME_257).execute(), "LIMIT_EXCEEDED")).contains("256");
        assertThat(errorCode(updateRun().variable("notes", "n".repeat(65_537)).execute(), "LIMIT_EXCEEDED"))
                .contains("65536");
        assertThat(errorCode(updateRun().variable("tags", Collections.nCopies(65, "t")).execute(), "LIMIT_EXCEEDED"))
                .contains("64");
        verify(runs, never()).save(any());
    }

    @Test
    void shouldLimitTheNestingOfHyperparameters() {
        assertThat(errorCode(createRun().variable("hyperparameters", nested(17)).execute(), "LIMIT_EXCEEDED"))
                .contains("17", "16");
        verify(runs, never()).save(any());
    }

    @Test
    void shouldLimitThePageSizeOfRuns() {
        assertThat(errorCode(graphQl.documentName("runs").variable("first", 501).execute(), "LIMIT_EXCEEDED"))
                .contains("500");
    }

    private GraphQlTester.Request<?> createRun() {
        return graphQl.documentName("createRun").variable("modelId", "1");
    }

    private GraphQlTester.Request<?> updateRun() {
        return graphQl.documentName("updateRun").variable("runId", RUN);
    }

    private static Map<String, Object> nested(int depth) {
        Map<String, Object> value = new HashMap<>(Map.of("lr", 0.1));
        for (int i = 1; i < depth; i++) {
            value = new HashMap<>(Map.of("level" + i, value));
        }
        return value;
    }
}
