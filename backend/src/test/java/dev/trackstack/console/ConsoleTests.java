package dev.trackstack.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.trackstack.ApiTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.test.tester.GraphQlTester;

class ConsoleTests extends ApiTest {

    @Test
    void shouldStoreLinesOnceAndReadThemBackInOrder() {
        String run = createRun();
        List<Map<String, Object>> batch = List.of(line(1, "STDERR", "Traceback: boom"), line(0, "STDOUT", "epoch 1"));
        logConsole(run, batch).path("logConsole.accepted").entity(Integer.class).isEqualTo(2);

        logConsole(run, batch)
                .path("logConsole.accepted").entity(Integer.class).isEqualTo(0)
                .path("logConsole.duplicates").entity(Integer.class).isEqualTo(2);
        console(run, null, null, null)
                .path("run.console.lines[*].text").entityList(String.class)
                .containsExactly("epoch 1", "Traceback: boom")
                .path("run.console.lines[1].stream").entity(String.class).isEqualTo("STDERR")
                .path("run.console.lastLine").entity(Long.class).isEqualTo(1L)
                .path("run.console.hasMore").entity(Boolean.class).isEqualTo(false);
    }

    @Test
    void shouldPageAndSearch() {
        String run = createRun();
        logConsole(run, IntStream.range(0, 10).mapToObj(i -> line(i, "STDOUT", (i % 2 == 0 ? "Loss " : "acc ") + i))
                .toList());

        console(run, 3L, 2, null)
                .path("run.console.lines[*].line").entityList(Long.class).containsExactly(4L, 5L)
                .path("run.console.hasMore").entity(Boolean.class).isEqualTo(true);
        console(run, null, 3, "loss")
                .path("run.console.lines[*].text").entityList(String.class).containsExactly("Loss 0", "Loss 2", "Loss 4")
                .path("run.console.hasMore").entity(Boolean.class).isEqualTo(true)
                .path("run.console.lastLine").entity(Long.class).isEqualTo(9L);
    }

    @Test
    void shouldDropLinesBeyondTheRunLimitAndKeepTheRest() {
        String run = createRun();
        long last = ConsoleStore.MAX_LINES_PER_RUN - 1;
        logConsole(run, List.of(line(last, "STDOUT", "last kept"), line(last + 1, "STDOUT", "dropped")))
                .path("logConsole.accepted").entity(Integer.class).isEqualTo(1)
                .path("logConsole.dropped").entity(Integer.class).isEqualTo(1);
        console(run, null, null, null).path("run.console.lines[*].text").entityList(String.class)
                .containsExactly("last kept");
    }

    @Test
    void shouldRefuseBadBatches() {
        String run = createRun();
        assertThat(errorCode(logConsole(run, IntStream.range(0, ConsoleController.MAX_LINES_PER_CALL + 1)
                .mapToObj(i -> line(i, "STDOUT", "x")).toList()), "LIMIT_EXCEEDED")).contains("1001 lines");
        assertThat(errorCode(logConsole(run, List.of(line(0, "STDOUT",
                "x".repeat(ConsoleController.MAX_LINE_LENGTH + 1)))), "LIMIT_EXCEEDED")).contains("16385 characters");
        assertThat(errorCode(logConsole(run, List.of(line(-1, "STDOUT", "x"))), "BAD_USER_INPUT"))
                .contains("start at 0");
        errorCode(logConsole("999999999", List.of(line(0, "STDOUT", "x"))), "NOT_FOUND");
        errorCode(logConsole("not-an-id", List.of(line(0, "STDOUT", "x"))), "NOT_FOUND");
        errorCode(logConsole(run, List.of(line(0, "STDOUT", "a\0b"))), "BAD_USER_INPUT"); // the client replaces NUL
        errorCode(logConsole(run, List.of(line(0, "STDIN", "x"))), "BAD_USER_INPUT");
        errorCode(console(run, null, ConsoleController.MAX_PAGE + 1, null), "LIMIT_EXCEEDED");
        console(run, null, null, null).path("run.console.lines").entityList(Object.class).hasSize(0);
    }

    @Test
    void shouldReplaceTheEnvironment() {
        String run = createRun();
        environment(run, Map.of("hostname", "a", "cpuCount", 2))
                .path("setRunEnvironment.environment.hostname").entity(String.class).isEqualTo("a");
        environment(run, Map.of("hostname", "b"))
                .path("setRunEnvironment.environment").entity(Map.class).isEqualTo(Map.of("hostname", "b"));

        errorCode(environment(run, List.of(1)), "BAD_USER_INPUT");
        errorCode(environment(run, Map.of("big", "x".repeat(ConsoleController.MAX_ENVIRONMENT_BYTES))),
                "LIMIT_EXCEEDED");
        errorCode(environment("999999999", Map.of()), "NOT_FOUND");
    }

    private GraphQlTester.Response logConsole(String runId, List<Map<String, Object>> lines) {
        return graphQl.documentName("logConsole").variable("runId", runId).variable("lines", lines).execute();
    }

    private GraphQlTester.Response console(String runId, Long after, Integer first, String search) {
        return graphQl.documentName("console").variable("id", runId).variable("after", after)
                .variable("first", first).variable("search", search).execute();
    }

    private GraphQlTester.Response environment(String runId, Object environment) {
        return graphQl.documentName("setRunEnvironment").variable("runId", runId)
                .variable("environment", environment).execute();
    }

    private static Map<String, Object> line(long number, String stream, String text) {
        Map<String, Object> line = new HashMap<>();
        line.put("line", number);
        line.put("stream", stream);
        line.put("text", text);
        return line;
    }
}
