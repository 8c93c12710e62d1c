package dev.trackstack.trace;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.live.LiveHub;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Page;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/** Reads traces, of the projects the caller sees (TraceScope). */
@Controller
class TraceController {

    private final TraceSearch search;
    private final LiveHub hub;

    TraceController(TraceSearch search, LiveHub hub) {
        this.search = search;
        this.hub = hub;
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
        List<Page.Edge<Trace>> found = search.search(TraceScope.of(project).traces(HexFormat.of().parseHex(id)), null,
                null, 2, null).edges();
        if (found.size() > 1) {
            throw ApiException.badInput("Trace " + id + " was sent to several projects: name one with 'project'");
        }
        return found.isEmpty() ? null : found.get(0).node();
    }

    /** The traces of each event are read back with one query, as the list shows them, at most once a second. */
    @SubscriptionMapping
    Flux<Trace> traceUpdates(@Argument String project, @Argument String runId) {
        TraceScope scope = TraceScope.of("traceUpdates", project, runId);
        return hub.tracesStored(scope.projects() == null ? null : Set.copyOf(scope.projects()), scope.runId())
                .concatMapIterable(stored -> search.search(new TraceScope(Set.of(stored.project()), scope.runId(),
                        stored.traces().keySet().stream().map(HexFormat.of()::parseHex).toArray(byte[][]::new), null),
                        null, null, stored.traces().size(), null).edges().stream().map(Page.Edge::node).toList());
    }

    @BatchMapping
    Map<Trace, List<TraceSpan>> spans(List<Trace> traces) {
        return search.spans(traces);
    }
}
