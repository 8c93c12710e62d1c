package dev.trackstack.trace;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;

import dev.trackstack.system.DatabaseTime;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Keeps the trace_summary table (V10__trace_summary.sql): each trace's row is computed again from all its spans
 * whenever spans of it are stored or deleted, so a retry or a trace sent in several requests gives the same
 * row as one request would.
 */
@Service
class TraceSummaries {

    /** Computes the rows of the traces whose spans {@code %s} selects, as the migration filled the table. */
    private static final String REFRESH = """
            insert into trace_summary (project_id, trace_id, root_span_id, run_id, name, span_type, operation,
                provider, model, session_id, service_name, status, span_count, error_count, input_tokens,
                output_tokens, total_tokens, cost, start_time, end_time, duration_ns, models, span_types, session_ids,
                span_names)
            select r.project_id, r.trace_id, r.span_id, r.run_id, r.name, r.span_type, r.operation, r.provider,
                   r.model, coalesce(r.session_id, a.session_ids[1]), r.service_name,
                   case when a.error_count > 0 then 'ERROR' else r.status end, a.span_count, a.error_count,
                   a.input_tokens, a.output_tokens, a.total_tokens, a.cost, a.start_time, a.end_time, a.duration_ns,
                   a.models, a.span_types, a.session_ids, a.span_names
            from (
                select distinct on (s.project_id, s.trace_id) s.*
                from span s
                where %1$s
                order by s.project_id, s.trace_id, s.parent_span_id is not null, s.start_time, s.span_id
            ) r join (
                select s.project_id, s.trace_id, count(*)::int as span_count,
                       (count(*) filter (where s.status = 'ERROR'))::int as error_count,
                       sum(s.input_tokens)::bigint as input_tokens, sum(s.output_tokens)::bigint as output_tokens,
                       sum(coalesce(s.input_tokens, 0) + coalesce(s.output_tokens, 0))
                           filter (where s.input_tokens is not null or s.output_tokens is not null)::bigint
                           as total_tokens,
                       sum(s.cost) as cost, min(s.start_time) as start_time, max(s.end_time) as end_time,
                       max((extract(epoch from s.start_time) * 1000000)::bigint * 1000 + s.duration_ns)
                           - min((extract(epoch from s.start_time) * 1000000)::bigint * 1000) as duration_ns,
                       coalesce(array_agg(distinct s.model) filter (where s.model is not null), '{}') as models,
                       array_agg(distinct s.span_type) as span_types,
                       coalesce(array_agg(distinct s.session_id) filter (where s.session_id is not null), '{}')
                           as session_ids,
                       string_agg(distinct s.name, E'\\n') as span_names
                from span s
                where %1$s
                group by s.project_id, s.trace_id
            ) a on a.project_id = r.project_id and a.trace_id = r.trace_id
            on conflict (project_id, trace_id) do update set root_span_id = excluded.root_span_id,
                run_id = excluded.run_id, name = excluded.name, span_type = excluded.span_type,
                operation = excluded.operation, provider = excluded.provider, model = excluded.model,
                session_id = excluded.session_id, service_name = excluded.service_name, status = excluded.status,
                span_count = excluded.span_count, error_count = excluded.error_count,
                input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                total_tokens = excluded.total_tokens, cost = excluded.cost, start_time = excluded.start_time,
                end_time = excluded.end_time, duration_ns = excluded.duration_ns, models = excluded.models,
                span_types = excluded.span_types, session_ids = excluded.session_ids,
                span_names = excluded.span_names
            """;

    private static final String REFRESH_TRACES =
            REFRESH.formatted("s.project_id = :project and s.trace_id = any(:traces)");

    private static final String REFRESH_STARTED_BEFORE = REFRESH.formatted("""
            (s.project_id, s.trace_id) in
                (select project_id, trace_id from trace_summary where start_time < :cutoff)""");

    /**
     * Two requests storing spans of one trace at once would each compute its row without the other's spans:
     * the second waits here until the first commits, and then sees them. Locks are taken in order, so two
     * requests sharing several traces cannot deadlock; traces whose keys collide merely wait for each other.
     */
    private static final String LOCK = """
            select pg_advisory_xact_lock(k) from (select k from unnest(cast(:keys as bigint[])) k order by k) ordered
            """;

    private static final String DELETE_EMPTY = """
            delete from trace_summary t where t.start_time < :cutoff
            and not exists (select from span s where s.project_id = t.project_id and s.trace_id = t.trace_id)
            """;

    private final NamedParameterJdbcTemplate jdbc;

    TraceSummaries(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Computes the rows of these traces of a project again, in the transaction that stored their spans. */
    @Transactional(propagation = Propagation.MANDATORY)
    void refresh(long projectId, Collection<byte[]> traceIds) {
        Long[] keys = traceIds.stream().map(id -> projectId ^ ByteBuffer.wrap(id).getLong()).distinct()
                .toArray(Long[]::new);
        jdbc.query(LOCK, Map.of("keys", keys), rs -> { });
        jdbc.update(REFRESH_TRACES, Map.of("project", projectId, "traces", traceIds.toArray(byte[][]::new)));
    }

    /**
     * Deletes the spans that started before {@code cutoff}, the rows of the traces left without spans, and
     * computes those of the traces that lost some again (all of them started before the cutoff). Answers the
     * number of spans deleted.
     */
    @Transactional
    int deleteSpansStartedBefore(Instant cutoff) {
        DatabaseTime.allowLongStatements(jdbc.getJdbcTemplate().getDataSource());
        Map<String, OffsetDateTime> params = Map.of("cutoff", cutoff.atOffset(ZoneOffset.UTC));
        int deleted = jdbc.update("delete from span where start_time < :cutoff", params);
        jdbc.update(DELETE_EMPTY, params);
        jdbc.update(REFRESH_STARTED_BEFORE, params);
        return deleted;
    }
}
