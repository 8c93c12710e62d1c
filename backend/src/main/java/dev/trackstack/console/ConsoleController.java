package dev.trackstack.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trackstack.run.Run;
import dev.trackstack.run.RunRepository;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;
import tools.jackson.databind.json.JsonMapper;

/** A run's console output and environment (graphql/console.graphqls). */
@Controller
class ConsoleController {

    static final int MAX_LINES_PER_CALL = 1000;
    static final int MAX_LINE_LENGTH = 16_384;
    static final int MAX_PAGE = 1000;
    static final int MAX_ENVIRONMENT_BYTES = 65_536;

    private final ConsoleStore store;
    private final RunRepository runs;
    private final JsonMapper json;

    ConsoleController(ConsoleStore store, RunRepository runs, JsonMapper json) {
        this.store = store;
        this.runs = runs;
        this.json = json;
    }

    @MutationMapping
    ConsoleLogResult logConsole(@Argument String runId, @Argument List<ConsoleLineInput> lines) {
        long run = Ids.parse(runId, "run");
        if (lines.size() > MAX_LINES_PER_CALL) {
            throw ApiException.limit(lines.size() + " lines", MAX_LINES_PER_CALL);
        }
        for (ConsoleLineInput line : lines) {
            if (line.line() < 0) {
                throw ApiException.badInput("line numbers start at 0, got " + line.line());
            }
            if (line.text().length() > MAX_LINE_LENGTH) {
                throw ApiException.limit("line " + line.line() + " of " + line.text().length() + " characters",
                        MAX_LINE_LENGTH);
            }
        }
        return store.log(run, lines);
    }

    @MutationMapping
    Run setRunEnvironment(@Argument String runId, @Argument Object environment) {
        long run = Ids.parse(runId, "run");
        if (!(environment instanceof Map)) {
            throw ApiException.badInput("environment must be a JSON object, got " + environment);
        }
        String text = json.writeValueAsString(environment);
        if (text.length() > MAX_ENVIRONMENT_BYTES) {
            throw ApiException.limit("environment of " + text.length() + " bytes", MAX_ENVIRONMENT_BYTES);
        }
        Run found = runs.findById(run).orElseThrow(() -> ApiException.notFound("run", runId));
        store.saveEnvironment(run, text);
        return found;
    }

    @BatchMapping(typeName = "Run")
    Map<Run, Object> environment(List<Run> batch) {
        Map<Long, String> byRun = store.environments(batch.stream().mapToLong(Run::getId).toArray());
        Map<Run, Object> environments = new HashMap<>();
        for (Run run : batch) {
            if (byRun.containsKey(run.getId())) {
                environments.put(run, json.readValue(byRun.get(run.getId()), Object.class));
            }
        }
        return environments;
    }

    @SchemaMapping(typeName = "Run")
    ConsolePage console(Run run, @Argument Long after, @Argument Integer first, @Argument String search,
            @Argument ConsoleStream stream) {
        int size = first == null ? 500 : first;
        if (size < 0 || size > MAX_PAGE) {
            throw ApiException.limit("first = " + size + " (it must also be >= 0)", MAX_PAGE);
        }
        return store.page(run.getId(), after == null ? -1 : after, size, search, stream);
    }
}
