package dev.trackstack.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.HttpGraphQlTester;

/** Evals behind tokens: a project-scoped token sees and changes its projects' evals only; a READ token reads. */
class EvalAccessTests extends EvalTest {

    private SecuredServer server;

    @BeforeEach
    void startSecuredServer() {
        server = SecuredServer.on(sameDatabase());
    }

    @Test
    void shouldKeepEvalsWithinTheTokensProjects() {
        String mine = project;
        Version v = dataset("d", 2);
        String run = createEvalRun(createModel("m"), v.id(), "r");
        logResults(run, List.of(result(v.itemIds().get(0), "x", score("acc", 1.0))));
        project = mine + "-other";
        Version otherVersion = dataset("d", 2);
        String otherRun = createEvalRun(createModel("m"), otherVersion.id(), "r");
        project = mine;

        HttpGraphQlTester scoped = server.graphQl(server.createToken("WRITE", List.of(mine)));
        scoped.documentName("datasets").variable("project", mine).execute()
                .path("datasets.totalCount").entity(Integer.class).isEqualTo(1);
        scoped.documentName("datasets").variable("project", mine + "-other").execute()
                .path("datasets.totalCount").entity(Integer.class).isEqualTo(0);
        scoped.documentName("dataset").variable("project", mine + "-other").variable("name", "d").execute()
                .path("dataset").valueIsNull();
        scoped.documentName("datasetVersion").variable("id", otherVersion.id()).execute()
                .path("datasetVersion").valueIsNull();
        scoped.documentName("datasetVersion").variable("id", v.id()).execute()
                .path("datasetVersion.itemCount").entity(Integer.class).isEqualTo(2);
        scoped.documentName("evalResults").variable("runId", otherRun).execute().path("evalResults").valueIsNull();
        scoped.documentName("evalResults").variable("runId", run).execute()
                .path("evalResults.totalCount").entity(Integer.class).isEqualTo(1);
        scoped.documentName("evalComparison").variable("baselineRunId", run)
                .variable("contenderRunIds", List.of(otherRun)).execute().path("evalComparison").valueIsNull();
        scoped.documentName("scoreConfigs").variable("project", mine + "-other").execute()
                .path("scoreConfigs").entityList(Object.class).hasSize(0);

        errorCode(scoped.documentName("addDatasetItems").variable("project", mine + "-other").variable("dataset", "d")
                .variable("items", List.of(item("a", null))).execute(), "FORBIDDEN");
        errorCode(scoped.documentName("logEvalResults").variable("runId", otherRun).variable("results",
                List.of(result(otherVersion.itemIds().get(0), "x"))).execute(), "NOT_FOUND");
        errorCode(scoped.documentName("createEvalRun").variable("modelId", createModel("m2"))
                .variable("datasetVersionId", otherVersion.id()).execute(), "NOT_FOUND");
        scoped.documentName("logEvalResults").variable("runId", run).variable("results",
                List.of(result(v.itemIds().get(1), "y"))).execute()
                .path("logEvalResults.aggregates.items").entity(Integer.class).isEqualTo(2);
        assertThat(jdbc.queryForObject("select count(*) from eval_result where run_id = ?", Integer.class,
                Long.parseLong(otherRun))).isZero();
    }

    @Test
    void shouldLetAReadTokenReadEvalsButNotWrite() {
        Version v = dataset("d", 2);
        String run = createEvalRun(createModel("m"), v.id(), "r");
        HttpGraphQlTester reader = server.graphQl(server.createToken("READ", null));
        reader.documentName("evalRun").variable("id", run).execute()
                .path("run.evaluation.aggregates.expected").entity(Integer.class).isEqualTo(2);
        assertThat(errorCode(reader.documentName("logEvalResults").variable("runId", run).variable("results",
                List.of(result(v.itemIds().get(0), "x"))).execute(), "FORBIDDEN")).contains("read-only");
        errorCode(reader.documentName("setScoreConfig").variable("project", project).variable("config",
                Map.of("name", "acc", "type", "NUMERIC")).execute(), "FORBIDDEN");
        errorCode(reader.documentName("addDatasetItems").variable("project", project).variable("dataset", "d")
                .variable("items", List.of(item("a", null))).execute(), "FORBIDDEN");
    }
}
