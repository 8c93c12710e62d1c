package dev.trackstack.trace;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.OffsetCursor;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Traces are aggregated from their spans at query time: grouped by trace, filtered on the groups, joined to their
 * root spans, sorted and paged. Filters and sort keys are fixed SQL with bound parameters (never user text in
 * the SQL).
 */
@Service
class TraceSearch {

    private static final int DEFAULT_PAGE_SIZE = 50;

    /** A span's start in nanoseconds since the epoch, to microseconds (what timestamptz keeps). */
    private static final String START_NS = "(extract(epoch from s.start_time) * 1000000)::bigint * 1000";

    private static final String TRACES = """
            with t as (
                select s.project_id, s.trace_id,
                       (array_agg(s.span_id order by s.parent_span_id is not null, s.start_time, s.span_id))[1]
                           as root_span_id,
                       count(*)::int as span_count,
                       (count(*) filter (where s.status = 'ERROR'))::int as error_count,
                       sum(s.input_tokens)::bigint as input_tokens, sum(s.output_tokens)::bigint as output_tokens,
                       sum(coalesce(s.input_tokens, 0) + coalesce(s.output_tokens, 0))
                           filter (where s.input_tokens is not null or s.output_tokens is not null)::bigint
                           as total_tokens,
                       sum(s.cost) as cost, min(s.start_time) as start_time, max(s.end_time) as end_time,
                       max(%1$s + s.duration_ns) - min(%1$s) as duration_ns
                from span s
                where %2$s
                group by s.project_id, s.trace_id
                having %3$s
            )
            select t.*, p.name as project, r.run_id, r.name, r.span_type, r.operation, r.provider, r.model,
                   r.session_id, r.service_name,
                   case when t.error_count > 0 then 'ERROR' else r.status end as trace_status,
                   count(*) over () as total
            from t join span r on r.project_id = t.project_id and r.trace_id = t.trace_id
                              and r.span_id = t.root_span_id
                   join project p on p.id = t.project_id
            where %4$s
            order by %5$s t.start_time desc, t.trace_id
            limit :limit offset :offset
            """;

    private static final String SPANS = """
            select s.*, encode(s.trace_id, 'hex') as trace_hex from span s
            where s.project_id = :project and s.trace_id = any(:traces)
            order by s.start_time, s.span_id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final JsonMapper json;
    private final int maxPageSize;

    TraceSearch(NamedParameterJdbcTemplate jdbc, JsonMapper json, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.maxPageSize = properties.limits().pageSize();
    }

    /**
     * @param projects the names of the projects to search; null for all
     * @param traceId  the bytes of one trace id, or null for any
     */
    @Transactional(readOnly = true)
    TraceConnection search(Collection<String> projects, Long runId, byte[] traceId, TraceFilter filter,
            List<TraceOrder> orderBy, Integer pageSize, String after) {
        int first = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        if (first < 0 || first > maxPageSize) {
            throw ApiException.limit("first = " + first + " (it must also be >= 0)", maxPageSize);
        }
        int offset = after == null ? 0 : OffsetCursor.decode(after);
        MapSqlParameterSource params = new MapSqlParameterSource().addValue("limit", first + 1)
                .addValue("offset", offset);
        List<String> spans = new ArrayList<>(List.of("true"));
        if (projects != null) {
            spans.add("s.project_id in (select id from project where name = any(:projects))");
            params.addValue("projects", projects.toArray(String[]::new));
        }
        if (runId != null) {
            // All spans of the traces that a span of the run is in, not only the run's own spans.
            spans.add("s.trace_id in (select trace_id from span where run_id = :run)");
            params.addValue("run", runId);
        }
        if (traceId != null) {
            spans.add("s.trace_id = :trace");
            params.addValue("trace", traceId);
        }
        List<String> groups = new ArrayList<>(List.of("true"));
        List<String> traces = new ArrayList<>(List.of("true"));
        if (filter != null) {
            filter(filter, params, groups, traces);
        }
        StringBuilder order = new StringBuilder();
        for (TraceOrder o : orderBy == null ? List.<TraceOrder>of() : orderBy) {
            order.append(switch (o.field()) {
                case START_TIME -> "t.start_time";
                case DURATION -> "t.duration_ns";
                case TOKENS -> "t.total_tokens";
                case COST -> "t.cost";
            }).append(o.direction() == TraceOrder.Direction.ASC ? " asc" : " desc").append(" nulls last, ");
        }
        String sql = TRACES.formatted(START_NS, String.join(" and ", spans), String.join(" and ", groups),
                String.join(" and ", traces), order);
        List<Trace> rows = new ArrayList<>();
        int[] total = {0};
        jdbc.query(sql, params, rs -> {
            rows.add(trace(rs));
            total[0] = rs.getInt("total");
        });
        boolean hasNext = rows.size() > first;
        List<TraceConnection.Edge> edges = new ArrayList<>();
        for (int i = 0; i < Math.min(first, rows.size()); i++) {
            edges.add(new TraceConnection.Edge(OffsetCursor.encode(offset + i + 1), rows.get(i)));
        }
        if (rows.isEmpty() && offset > 0) {
            // A page past the end has no rows to carry the window count.
            params.addValue("offset", 0).addValue("limit", 1);
            jdbc.query(sql, params, rs -> {
                total[0] = rs.getInt("total");
            });
        }
        String endCursor = edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor();
        return new TraceConnection(edges, new TraceConnection.PageInfo(hasNext, endCursor), total[0]);
    }

    /** The spans of these traces, each list ordered by start time. */
    @Transactional(readOnly = true)
    Map<Trace, List<TraceSpan>> spans(List<Trace> batch) {
        Map<Long, List<Trace>> byProject = batch.stream().collect(Collectors.groupingBy(Trace::projectId));
        Map<String, List<TraceSpan>> byTrace = new HashMap<>();
        byProject.forEach((project, traces) -> jdbc.query(SPANS, new MapSqlParameterSource()
                .addValue("project", project)
                .addValue("traces", traces.stream().map(t -> HexFormat.of().parseHex(t.id())).toArray(byte[][]::new)),
                rs -> {
                    byTrace.computeIfAbsent(project + "/" + rs.getString("trace_hex"), k -> new ArrayList<>())
                            .add(span(rs));
                }));
        return batch.stream().collect(Collectors.toMap(t -> t, t -> byTrace.getOrDefault(t.projectId() + "/" + t.id(),
                List.of())));
    }

    private static void filter(TraceFilter filter, MapSqlParameterSource params, List<String> groups,
            List<String> traces) {
        if (filter.from() != null) {
            groups.add("min(s.start_time) >= :from");
            params.addValue("from", filter.from());
        }
        if (filter.to() != null) {
            groups.add("min(s.start_time) < :to");
            params.addValue("to", filter.to());
        }
        if (filter.models() != null && !filter.models().isEmpty()) {
            groups.add("bool_or(s.model = any(:models))");
            params.addValue("models", filter.models().toArray(String[]::new));
        }
        if (filter.spanTypes() != null && !filter.spanTypes().isEmpty()) {
            groups.add("bool_or(s.span_type = any(:types))");
            params.addValue("types", filter.spanTypes().stream().map(Enum::name).toArray(String[]::new));
        }
        if (filter.sessionId() != null) {
            groups.add("bool_or(s.session_id = :session)");
            params.addValue("session", filter.sessionId());
        }
        if (filter.nameContains() != null && !filter.nameContains().isEmpty()) {
            groups.add("bool_or(s.name ilike :name)");
            params.addValue("name", "%" + filter.nameContains().replaceAll("([\\\\%_])", "\\\\$1") + "%");
        }
        if (filter.status() != null && !filter.status().isEmpty()) {
            traces.add("(case when t.error_count > 0 then 'ERROR' else r.status end) = any(:status)");
            params.addValue("status", filter.status().toArray(String[]::new));
        }
    }

    private static Trace trace(ResultSet rs) throws SQLException {
        return new Trace(rs.getLong("project_id"), HexFormat.of().formatHex(rs.getBytes("trace_id")),
                rs.getString("project"), rs.getString("run_id"), rs.getString("name"),
                HexFormat.of().formatHex(rs.getBytes("root_span_id")), rs.getString("span_type"),
                rs.getString("operation"), rs.getString("provider"), rs.getString("model"),
                rs.getString("session_id"), rs.getString("service_name"),
                rs.getObject("start_time", OffsetDateTime.class), rs.getObject("end_time", OffsetDateTime.class),
                rs.getLong("duration_ns"), rs.getString("trace_status"), rs.getInt("span_count"),
                rs.getInt("error_count"), rs.getObject("input_tokens", Long.class),
                rs.getObject("output_tokens", Long.class), rs.getObject("total_tokens", Long.class),
                rs.getBigDecimal("cost"));
    }

    private TraceSpan span(ResultSet rs) throws SQLException {
        byte[] parent = rs.getBytes("parent_span_id");
        return new TraceSpan(rs.getString("trace_hex"), HexFormat.of().formatHex(rs.getBytes("span_id")),
                parent == null ? null : HexFormat.of().formatHex(parent), rs.getString("run_id"),
                rs.getString("name"), rs.getString("kind"), rs.getString("span_type"),
                rs.getObject("start_time", OffsetDateTime.class), rs.getObject("end_time", OffsetDateTime.class),
                rs.getLong("duration_ns"), rs.getString("status"), rs.getString("status_message"),
                rs.getString("service_name"), rs.getString("scope_name"), rs.getString("scope_version"),
                rs.getString("operation"), rs.getString("provider"), rs.getString("model"),
                rs.getObject("input_tokens", Long.class), rs.getObject("output_tokens", Long.class),
                rs.getBigDecimal("cost"), rs.getBoolean("cost_estimated"), rs.getString("session_id"), json.readValue(rs.getString("attributes"),
                Object.class), json.readValue(rs.getString("events"), Object.class),
                json.readValue(rs.getString("links"), Object.class), json.readValue(rs.getString("resource"),
                Object.class), rs.getInt("mapping_version"));
    }
}
