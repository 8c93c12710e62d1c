package dev.trackstack.trace;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.auth.Caller;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * Reads traces. A token limited to some projects sees their traces only: the projects are handed to the SQL,
 * which then pages and counts correctly (AccessGuard lets these fields filter themselves).
 */
@Controller
class TraceController {

    private final TraceSearch search;

    TraceController(TraceSearch search) {
        this.search = search;
    }

    @QueryMapping
    TraceConnection traces(@Argument String project, @Argument String runId, @Argument TraceFilter filter,
            @Argument List<TraceOrder> orderBy, @Argument Integer first, @Argument String after) {
        if (project == null && runId == null) {
            throw ApiException.badInput("traces needs a project or a runId");
        }
        Long run = runId == null ? null : Ids.parse(runId, "run");
        return search.search(projects(project), run, null, filter, orderBy, first, after);
    }

    @QueryMapping
    Trace trace(@Argument String id, @Argument String project) {
        if (!id.matches("[0-9a-fA-F]{32}")) {
            return null;
        }
        List<TraceConnection.Edge> found = search.search(projects(project), null, HexFormat.of().parseHex(id), null,
                null, 2, null).edges();
        if (found.size() > 1) {
            throw ApiException.badInput("Trace " + id + " was sent to several projects: name one with 'project'");
        }
        return found.isEmpty() ? null : found.get(0).node();
    }

    @BatchMapping
    Map<Trace, List<TraceSpan>> spans(List<Trace> traces) {
        return search.spans(traces);
    }

    /** The projects the caller asks for and sees: one, or all it sees (null: all there are). */
    private static Collection<String> projects(String project) {
        Caller caller = Caller.current();
        if (project == null) {
            return caller.projects();
        }
        return caller.sees(project) ? Set.of(project) : Set.of();
    }
}
