package dev.trackstack.trace;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Traces are read from their summaries (TraceSummaries), filtered, sorted and paged there. Filters and sort keys
 * are fixed SQL with bound parameters (never user text in the SQL).
 */
@Service
class TraceSearch {

    private static final int DEFAULT_PAGE_SIZE = 50;

    private static final String TRACES = """
            select t.project_id, t.trace_id, p.name as project, t.run_id, t.name, t.root_span_id, t.span_type,
                   t.operation, t.provider, t.model, t.session_id, t.service_name, t.start_time, t.end_time,
                   t.duration_ns, t.status, t.span_count, t.error_count, t.input_tokens, t.output_tokens,
                   t.total_tokens, t.cost
            from trace_summary t join project p on p.id = t.project_id
            where %s
            order by %s t.start_time desc, t.trace_id
            limit :limit offset :offset
            """;

    private static final String COUNT = "select count(*) from trace_summary t where %s";

    private static final String SPANS = """
            select s.*, encode(s.trace_id, 'hex') as trace_hex from span s
            where s.project_id = :project and s.trace_id = any(:traces)
            order by s.start_time, s.span_id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final Pages pages;
    private final JsonMapper json;

    TraceSearch(NamedParameterJdbcTemplate jdbc, Pages pages, JsonMapper json) {
        this.jdbc = jdbc;
        this.pages = pages;
        this.json = json;
    }

    @Transactional(readOnly = true)
    Page<Trace> search(TraceScope scope, TraceFilter filter, List<TraceOrder> orderBy, Integer first,
            String after) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        List<String> conditions = scope.conditions(params);
        if (filter != null) {
            filter(filter, params, conditions);
        }
        StringBuilder order = new StringBuilder();
        for (TraceOrder o : orderBy == null ? List.<TraceOrder>of() : orderBy) {
            // Start and duration are never null: without "nulls last", their indexes serve the order both ways.
            order.append(switch (o.field()) {
                case START_TIME -> "t.start_time";
                case DURATION -> "t.duration_ns";
                case TOKENS -> "t.total_tokens";
                case COST -> "t.cost";
            }).append(o.direction() == TraceOrder.Direction.ASC ? " asc" : " desc")
                    .append(o.field() == TraceOrder.Field.TOKENS || o.field() == TraceOrder.Field.COST ? " nulls last"
                            : "").append(", ");
        }
        String where = String.join(" and ", conditions);
        return pages.query(TRACES.formatted(where, order), COUNT.formatted(where), params, first, DEFAULT_PAGE_SIZE,
                after, (rs, i) -> trace(rs));
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

    /** A trace matches a span condition when any of its spans does: the summary keeps the values of all. */
    private static void filter(TraceFilter filter, MapSqlParameterSource params, List<String> conditions) {
        if (filter.from() != null) {
            conditions.add("t.start_time >= :from");
            params.addValue("from", filter.from());
        }
        if (filter.to() != null) {
            conditions.add("t.start_time < :to");
            params.addValue("to", filter.to());
        }
        if (filter.models() != null && !filter.models().isEmpty()) {
            conditions.add("t.models && cast(:models as text[])");
            params.addValue("models", filter.models().toArray(String[]::new));
        }
        if (filter.spanTypes() != null && !filter.spanTypes().isEmpty()) {
            conditions.add("t.span_types && cast(:types as text[])");
            params.addValue("types", filter.spanTypes().stream().map(Enum::name).toArray(String[]::new));
        }
        if (filter.sessionId() != null) {
            conditions.add("t.session_ids @> array[cast(:anySession as text)]");
            params.addValue("anySession", filter.sessionId());
        }
        if (filter.nameContains() != null && !filter.nameContains().isEmpty()) {
            // Names are one a line: the pattern crosses from one to the next only when it holds a line break.
            conditions.add("t.span_names ilike :name");
            params.addValue("name", "%" + filter.nameContains().replaceAll("([\\\\%_])", "\\\\$1") + "%");
        }
        if (filter.status() != null && !filter.status().isEmpty()) {
            conditions.add("t.status = any(:status)");
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
                rs.getLong("duration_ns"), rs.getString("status"), rs.getInt("span_count"),
                rs.getInt("error_count"), rs.getObject("input_tokens", Long.class),
                rs.getObject("output_tokens", Long.class), rs.getObject("total_tokens", Long.class),
                rs.getBigDecimal("cost"));
    }

    TraceSpan span(ResultSet rs) throws SQLException {
        byte[] parent = rs.getBytes("parent_span_id");
        return new TraceSpan(rs.getString("trace_hex"), HexFormat.of().formatHex(rs.getBytes("span_id")),
                parent == null ? null : HexFormat.of().formatHex(parent), rs.getString("run_id"),
                rs.getString("name"), rs.getString("kind"), rs.getString("span_type"),
                rs.getObject("start_time", OffsetDateTime.class), rs.getObject("end_time", OffsetDateTime.class),
                rs.getLong("duration_ns"), rs.getString("status"), rs.getString("status_message"),
                rs.getString("service_name"), rs.getString("scope_name"), rs.getString("scope_version"),
                rs.getString("operation"), rs.getString("provider"), rs.getString("model"),
                rs.getObject("input_tokens", Long.class), rs.getObject("output_tokens", Long.class),
                rs.getBigDecimal("cost"), rs.getBoolean("cost_estimated"), rs.getString("session_id"), rs.getString("prompt_name"),
                rs.getObject("prompt_version", Integer.class), json.readValue(rs.getString("attributes"),
                Object.class), json.readValue(rs.getString("events"), Object.class),
                json.readValue(rs.getString("links"), Object.class), json.readValue(rs.getString("resource"),
                Object.class), rs.getInt("mapping_version"));
    }
}
