package dev.trackstack.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;

class ModelAndProjectTests extends ApiTest {

    @Test
    void shouldGetOrCreateAModelOnProjectAndName() {
        String first = createModel("ResNet50");
        String again = createModel("ResNet50");
        String other = createModel("ViT");

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        graphQl.documentName("project")
                .variable("name", project).execute()
                .path("project.models[*].name").entityList(String.class).containsExactly("ResNet50", "ViT")
                .path("project.runCount").entity(Integer.class).isEqualTo(0);
        graphQl.document("query($n: String!) { project(name: $n) { runningCount lastActivityAt } }")
                .variable("n", project).execute()
                .path("project.runningCount").entity(Integer.class).isEqualTo(0)
                .path("project.lastActivityAt").valueIsNull();
    }

    @Test
    void shouldCountRunningRunsAndTellTheLastActivity() {
        String model = createModel("ResNet50");
        String done = createRun(model, "done", Map.of(), List.of());
        createRun(model, "running", Map.of(), List.of());
        graphQl.documentName("updateRunStatus").variable("runId", done).variable("status", "COMPLETED").execute();
        // The finish is the project's last activity: moved an hour ahead, it is what lastActivityAt answers.
        jdbc.update("update run set finished_at = now() + interval '1 hour' where id = ?", Long.parseLong(done));
        java.time.OffsetDateTime finished = jdbc.queryForObject("select finished_at from run where id = ?",
                java.time.OffsetDateTime.class, Long.parseLong(done));

        graphQl.document("query($n: String!) { project(name: $n) { runCount runningCount lastActivityAt } }")
                .variable("n", project).execute()
                .path("project.runCount").entity(Integer.class).isEqualTo(2)
                .path("project.runningCount").entity(Integer.class).isEqualTo(1)
                .path("project.lastActivityAt").entity(String.class).satisfies(t -> assertThat(
                        java.time.OffsetDateTime.parse(t)).isEqualTo(
                        finished.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }

    @Test
    void shouldListProjectsWithTheirModelsAndRunCounts() {
        String model = createModel("ResNet50");
        createRun(model, "a", Map.of(), List.of());
        createRun(model, "b", Map.of(), List.of());

        var projects = graphQl.documentName("projects")
                .execute().path("projects[*].name").entityList(String.class).get();
        int index = projects.indexOf(project);
        assertThat(index).isNotNegative();
        graphQl.documentName("projects").execute()
                .path("projects[" + index + "].runCount").entity(Integer.class).isEqualTo(2)
                .path("projects[" + index + "].models[0].project.name").entity(String.class).isEqualTo(project);
    }

    @Test
    void shouldFindAModelById() {
        String model = createModel("ResNet50");
        graphQl.documentName("model")
                .variable("id", model).execute()
                .path("model.name").entity(String.class).isEqualTo("ResNet50")
                .path("model.project.name").entity(String.class).isEqualTo(project)
                .path("model.runs.totalCount").entity(Integer.class).isEqualTo(0);
        for (String id : List.of("424242424", "abc", "", "1.5", "99999999999999999999")) {
            graphQl.documentName("model").variable("id", id).execute().errors().verify().path("model").valueIsNull();
        }
    }

    @Test
    void shouldDeleteAModelWithItsRunsAndPoints() {
        String model = createModel("ResNet50");
        String run = createRun(model, "a", Map.of(), List.of());
        logMetrics(run, List.of(point("loss", null, 0, 1.0)), null);
        long series = seriesIdOf(run);

        graphQl.documentName("deleteModel").variable("id", model).execute()
                .path("deleteModel").entity(Boolean.class).isEqualTo(true);

        graphQl.documentName("run").variable("id", run).execute().path("run").valueIsNull();
        assertThat(jdbc.queryForObject("select count(*) from metric_point where series_id = ?", Long.class, series))
                .isZero();
        errorCode(graphQl.documentName("deleteModel").variable("id", model).execute(),
                "NOT_FOUND");
    }

    @Test
    void shouldDeleteAProjectWithEverythingInIt() {
        String model = createModel("ResNet50");
        createModel("ViT");
        String run = createRun(model, "a", Map.of(), List.of());
        logMetrics(run, List.of(point("loss", null, 0, 1.0)), null);
        long series = seriesIdOf(run);

        graphQl.documentName("deleteProject").variable("name", project)
                .execute().path("deleteProject").entity(Integer.class).isEqualTo(2);

        graphQl.documentName("project").variable("name", project)
                .execute().path("project").valueIsNull();
        assertThat(jdbc.queryForObject("select count(*) from metric_point where series_id = ?", Long.class, series))
                .isZero();
        errorCode(graphQl.documentName("deleteProject")
                .variable("name", project).execute(), "NOT_FOUND");
    }

    @Test
    void shouldRejectBlankAndOverlongNames() {
        errorCode(graphQl.documentName("createModel").variable("project", project).variable("name", "  ")
                .execute(), "BAD_USER_INPUT");
        errorCode(graphQl.documentName("createModel").variable("project", "p".repeat(257)).variable("name", "m")
                .execute(), "BAD_USER_INPUT");
        graphQl.documentName("project").variable("name", project)
                .execute().path("project").valueIsNull();
    }

    private long seriesIdOf(String runId) {
        return jdbc.queryForObject("select id from metric_series where run_id = ?", Long.class,
                Long.parseLong(runId));
    }
}
