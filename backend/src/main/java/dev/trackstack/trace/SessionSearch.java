package dev.trackstack.trace;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Sessions are the trace summaries grouped by their session id, the most recently active first. */
@Service
class SessionSearch {

    private static final int DEFAULT_PAGE_SIZE = 50;

    /** Grouped by project id rather than name, so that the page is aggregated before it meets the project. */
    private static final String SESSIONS = """
            select s.*, p.name as project from (
                select t.project_id, t.session_id, count(*)::int as trace_count, min(t.start_time) as start_time,
                       max(t.end_time) as end_time, (count(*) filter (where t.error_count > 0))::int as error_count,
                       sum(t.input_tokens)::bigint as input_tokens, sum(t.output_tokens)::bigint as output_tokens,
                       sum(t.total_tokens)::bigint as total_tokens, sum(t.cost) as cost
                from trace_summary t
                where t.session_id is not null and %1$s
                group by t.project_id, t.session_id
                order by max(t.end_time) desc, t.session_id, t.project_id
                limit :limit offset :offset
            ) s join project p on p.id = s.project_id
            order by s.end_time desc, s.session_id, s.project_id
            """;

    private static final String COUNT = """
            select count(*) from (
                select from trace_summary t where t.session_id is not null and %s group by t.project_id, t.session_id
            ) sessions
            """;

    private final Pages pages;
    private final TraceSearch traces;

    SessionSearch(Pages pages, TraceSearch traces) {
        this.pages = pages;
        this.traces = traces;
    }

    @Transactional(readOnly = true)
    Page<Session> sessions(TraceScope scope, Integer first, String after) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        String where = String.join(" and ", scope.conditions(params));
        return pages.query(SESSIONS.formatted(where), COUNT.formatted(where), params, first, DEFAULT_PAGE_SIZE, after,
                (rs, i) -> new Session(
                rs.getString("session_id"), rs.getString("project"), scope.runId(), rs.getInt("trace_count"),
                rs.getObject("start_time", OffsetDateTime.class), rs.getObject("end_time", OffsetDateTime.class),
                rs.getInt("error_count"), rs.getObject("input_tokens", Long.class),
                rs.getObject("output_tokens", Long.class), rs.getObject("total_tokens", Long.class),
                rs.getBigDecimal("cost")));
    }

    /** The session's traces (of its run, when it was listed for one) in the order they started. */
    Page<Trace> traces(Session session, Integer first, String after) {
        TraceScope scope = new TraceScope(Set.of(session.project()), session.runId(), null, session.id());
        return traces.search(scope, null, List.of(new TraceOrder(TraceOrder.Field.START_TIME,
                TraceOrder.Direction.ASC)), first, after);
    }
}
