package dev.trackstack.trace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.trackstack.auth.Caller;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Which traces a query reads: those of some projects that the caller sees, and of these, those with a span of
 * a run, one trace id, or one session, when given. A token limited to some projects sees their traces only:
 * the projects are handed to the SQL, which then pages and counts correctly (AccessGuard lets these fields
 * filter themselves).
 *
 * @param projects  the names of the projects; null for all
 * @param runId     traces with a span of this run, or null for any
 * @param traceIds  the bytes of these trace ids, or null for any
 * @param sessionId the traces of this session (Trace.sessionId), or null for any
 */
record TraceScope(Collection<String> projects, Long runId, byte[][] traceIds, String sessionId) {

    /** The traces of a project (or all the caller sees) or of a run, for a query that needs one of the two. */
    static TraceScope of(String query, String project, String runId) {
        if (project == null && runId == null) {
            throw ApiException.badInput(query + " needs a project or a runId");
        }
        return new TraceScope(visible(project), runId == null ? null : Ids.parse(runId, "run"), null, null);
    }

    /** The traces of a project, or of all the caller sees. */
    static TraceScope of(String project) {
        return new TraceScope(visible(project), null, null, null);
    }

    TraceScope traces(byte[]... ids) {
        return new TraceScope(projects, runId, ids, sessionId);
    }

    TraceScope session(String id) {
        return new TraceScope(projects, runId, traceIds, id);
    }

    /**
     * The conditions on the traces (or spans) of table alias {@code t}, which has project_id and trace_id, with
     * their parameters added to {@code params}.
     */
    List<String> conditions(MapSqlParameterSource params) {
        List<String> conditions = new ArrayList<>(List.of("true"));
        // One project (what the dashboard asks for) as one value, so that the planner reads a page by the indexes
        // that start with project_id; several as an array rather than a join, for the same reason.
        if (projects != null && projects.size() == 1) {
            conditions.add("t.project_id = (select id from project where name = :project)");
            params.addValue("project", projects.iterator().next());
        } else if (projects != null) {
            conditions.add("t.project_id = any(array(select id from project where name = any(:projects)))");
            params.addValue("projects", projects.toArray(String[]::new));
        }
        if (runId != null) {
            // All spans of the traces that a span of the run is in, not only the run's own spans.
            conditions.add("(t.project_id, t.trace_id) in (select project_id, trace_id from span where run_id = :run)");
            params.addValue("run", runId);
        }
        if (traceIds != null) {
            conditions.add("t.trace_id = any(:traces)");
            params.addValue("traces", traceIds);
        }
        if (sessionId != null) {
            conditions.add("t.session_id = :session");
            params.addValue("session", sessionId);
        }
        return conditions;
    }

    /** The projects the caller asks for and sees: one, or all it sees (null: all there are). */
    private static Collection<String> visible(String project) {
        Caller caller = Caller.current();
        if (project == null) {
            return caller.projects();
        }
        return caller.sees(project) ? Set.of(project) : Set.of();
    }
}
