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
import org.springframework.jdbc.core.JdbcTemplate;
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
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    ConsoleController(ConsoleStore store, RunRepository runs, JdbcTemplate jdbc, JsonMapper json) {
        this.store = store;
        this.runs = runs;
        this.jdbc = jdbc;
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
        jdbc.update("""
                insert into run_environment (run_id, environment) values (?, ?::jsonb)
                on conflict (run_id) do update set environment = excluded.environment
                """, run, text);
        return found;
    }

    @BatchMapping(typeName = "Run")
    Map<Run, Object> environment(List<Run> runs) {
        Map<Long, Run> byId = new HashMap<>();
        runs.forEach(run -> byId.put(run.getId(), run));
        Map<Run, Object> environments = new HashMap<>();
        jdbc.query("select run_id, environment::text from run_environment where run_id = any(?)",
                rs -> {
                    environments.put(byId.get(rs.getLong(1)), json.readValue(rs.getString(2), Object.class));
                }, (Object) byId.keySet().stream().mapToLong(Long::longValue).toArray());
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
