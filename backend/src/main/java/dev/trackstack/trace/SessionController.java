package dev.trackstack.trace;

import java.util.List;

import dev.trackstack.system.Page;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

/** Reads sessions, of the projects the caller sees (TraceScope). */
@Controller
class SessionController {

    private final SessionSearch search;

    SessionController(SessionSearch search) {
        this.search = search;
    }

    @QueryMapping
    Page<Session> sessions(@Argument String project, @Argument String runId, @Argument Integer first,
            @Argument String after) {
        return search.sessions(TraceScope.of("sessions", project, runId), first, after);
    }

    @QueryMapping
    Session session(@Argument String id, @Argument String project) {
        List<Page.Edge<Session>> found = search.sessions(TraceScope.of(project).session(id), 1, null).edges();
        return found.isEmpty() ? null : found.get(0).node();
    }

    /** One query per session of the page; each reads its own traces by an index. */
    @SchemaMapping
    Page<Trace> traces(Session session, @Argument Integer first, @Argument String after) {
        return search.traces(session, first, after);
    }
}
