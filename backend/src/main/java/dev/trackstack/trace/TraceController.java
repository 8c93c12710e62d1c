package dev.trackstack.trace;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.trackstack.system.ApiException;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * Reads traces. A token limited to some projects sees their traces only: the projects are handed to the SQL,
 * which then pages and counts correctly (AccessGuard lets these fields filter themselves).
 */
/** Reads traces, of the projects the caller sees (TraceScope). */
@Controller
class TraceController {

    private final TraceSearch search;

    TraceController(TraceSearch search) {
        this.search = search;
    }

    @QueryMapping
    Page<Trace> traces(@Argument String project, @Argument String runId, @Argument TraceFilter filter,
            @Argument List<TraceOrder> orderBy, @Argument Integer first, @Argument String after) {
        return search.search(TraceScope.of("traces", project, runId), filter, orderBy, first, after);
    }

    @QueryMapping
    Trace trace(@Argument String id, @Argument String project) {
        if (!id.matches("[0-9a-fA-F]{32}")) {
            return null;
        }
        List<Page.Edge<Trace>> found = search.search(TraceScope.of(project).trace(HexFormat.of().parseHex(id)), null,
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
}
