package dev.trackstack.trace;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.auth.Caller;
import dev.trackstack.live.LiveHub;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/**
 * Reads traces. A token limited to some projects sees their traces only: the projects are handed to the SQL,
 * which then pages and counts correctly (AccessGuard lets these fields filter themselves).
 */
@Controller
class TraceController {

    private final TraceSearch search;
    private final LiveHub hub;

    TraceController(TraceSearch search, LiveHub hub) {
        this.search = search;
        this.hub = hub;
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

    /** Each stored trace is read back as the list shows it, once for each subscriber, at most once a second. */
    @SubscriptionMapping
    Flux<Trace> traceUpdates(@Argument String project, @Argument String runId) {
        if (project == null && runId == null) {
            throw ApiException.badInput("traceUpdates needs a project or a runId");
        }
        Long run = runId == null ? null : Ids.parse(runId, "run");
        Collection<String> projects = projects(project);
        return hub.tracesStored(projects == null ? null : Set.copyOf(projects), run)
                .concatMapIterable(stored -> stored.traces().keySet().stream()
                        .flatMap(id -> search.search(Set.of(stored.project()), run, HexFormat.of().parseHex(id), null,
                                null, 1, null).edges().stream())
                        .map(TraceConnection.Edge::node).toList());
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
