package dev.trackstack.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.trackstack.ApiTest;
import dev.trackstack.SecuredServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What importRuns does whatever the format: its checks of the source, failures, and who may import. */
class ImportTests extends ApiTest {

    private static final String START = """
            mutation($input: ImportInput!) { importRuns(input: $input) { id state error } }""";

    private static final String JOB = "query($id: ID!) { importJob(id: $id) { state error runsRead unmapped } }";

    @TempDir
    Path dir;

    private Map<String, Object> input(String format, String source) {
        return Map.of("format", format, "source", source, "project", project);
    }

    @Test
    void aPathTheServerDoesNotHaveIsBadInputAndStartsNothing() {
        Long jobs = jdbc.queryForObject("select count(*) from import_job", Long.class);
        String message = errorCode(graphQl.document(START).variable("input", input("MLFLOW", dir + "/mlruns"))
                .execute(), "BAD_USER_INPUT");
        assertThat(message).isEqualTo("There is no " + dir + "/mlruns on the server's machine: the server reads the "
                + "source itself, so give a path there");
        assertThat(errorCode(graphQl.document(START).variable("input", input("MLFLOW", " ")).execute(),
                "BAD_USER_INPUT")).isEqualTo("source must name a path on the server's machine or a URL");
        assertThat(jdbc.queryForObject("select count(*) from import_job", Long.class)).isEqualTo(jobs);
    }

    @Test
    void aSourceTheReaderCannotReadFailsTheJobWithTheReadersSentence() {
        String id = graphQl.document(START).variable("input", input("MLFLOW", dir.toString())).execute()
                .path("importRuns.id").entity(String.class).get();
        Map<String, Object> job = finished(id);
        assertThat(job).containsEntry("state", "FAILED").containsEntry("runsRead", 0);
        assertThat((String) job.get("error")).isNotBlank().doesNotContain("Exception").contains(dir.toString());
    }

    private Map<String, Object> finished(String id) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> graphQl.document(JOB).variable("id", id).execute()
                .path("importJob").entity(MAP).get(), job -> !"RUNNING".equals(job.get("state")));
    }

    @Test
    void onlyATokenNotLimitedToProjectsImports() {
        SecuredServer server = SecuredServer.on(sameDatabase());
        String limited = server.createToken("WRITE", List.of(project));
        assertThat(errorCode(server.graphQl(limited).document(START).variable("input", input("MLFLOW",
                dir.toString())).execute(), "FORBIDDEN")).isEqualTo("Imports read the server's files and reach URLs "
                + "from the server: they need a token not limited to projects");
        String id = server.admin().document(START).variable("input", input("MLFLOW", dir.toString())).execute()
                .path("importRuns.id").entity(String.class).get();
        server.graphQl(limited).document(JOB).variable("id", id).execute().path("importJob").valueIsNull();
        server.graphQl(server.createToken("WRITE", null)).document(JOB).variable("id", id).execute()
                .path("importJob.state").hasValue();
    }

    private static final Class<Map<String, Object>> MAP = mapClass();

    @SuppressWarnings("unchecked")
    private static Class<Map<String, Object>> mapClass() {
        return (Class<Map<String, Object>>) (Class<?>) Map.class;
    }
}
