package dev.trackstack.trace;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.live.LiveEvents;
import dev.trackstack.live.TracesStored;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Stores the spans of one OTLP request in one transaction: all of its accepted spans, or none. */
@Service
class SpanStore {

    private static final String INSERT = """
            insert into span (project_id, trace_id, span_id, parent_span_id, run_id, name, kind, start_time, end_time,
                duration_ns, status, status_message, service_name, scope_name, scope_version, span_type, operation,
                provider, model, input_tokens, output_tokens, cost, cost_estimated, session_id, attributes, events,
                links, resource, mapping_version)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb,
                ?::jsonb, ?::jsonb, ?)
            on conflict do nothing
            """;

    private static final String RUN_PROJECTS = """
            select r.id::text, p.name from run r join model m on m.id = r.model_id join project p on p.id = m.project_id
            where r.id = any(?)
            """;

    private final JdbcTemplate jdbc;
    private final TraceSummaries summaries;
    private final ModelPrices prices;
    private final LiveEvents live;

    SpanStore(JdbcTemplate jdbc, TraceSummaries summaries, ModelPrices prices, LiveEvents live) {
        this.jdbc = jdbc;
        this.summaries = summaries;
        this.prices = prices;
        this.live = live;
    }

    /**
     * Stores the spans (a span already stored, as an exporter's retry sends it, is left as it is). A span naming a
     * run of another project, or no run at all, is rejected into {@code spans}. A span without a cost is priced
     * by the price table. The summaries of the traces it touched are computed again in the same transaction, and
     * subscribers hear of the traces after the commit.
     */
    @Transactional
    void store(IncomingSpans spans) {
        Map<String, String> runProjects = runProjects(spans.rows);
        Map<String, Long> projectIds = new HashMap<>();
        List<IncomingSpans.Row> accepted = new ArrayList<>();
        for (IncomingSpans.Row row : spans.rows) {
            if (row.runId() != null && !row.project().equals(runProjects.get(row.runId()))) {
                spans.reject(new IncomingSpans.SpanRejected("No run " + OtlpEncoding.abbreviate(row.runId())
                        + " in project " + row.project() + " (attribute " + IncomingSpans.RUN_ATTRIBUTE + ")"));
            } else {
                projectIds.computeIfAbsent(row.project(), this::projectId);
                accepted.add(row);
            }
        }
        ModelPrices.Pricing pricing = prices.pricing();
        jdbc.batchUpdate(INSERT, accepted, 500, (statement, row) -> bind(statement, row, projectIds, pricing));
        // Per project, the traces written to and the runs their spans name.
        Map<String, Map<String, Set<Long>>> traces = new LinkedHashMap<>();
        for (IncomingSpans.Row row : accepted) {
            Set<Long> runs = traces.computeIfAbsent(row.project(), project -> new LinkedHashMap<>())
                    .computeIfAbsent(HexFormat.of().formatHex(row.traceId()), trace -> new HashSet<>());
            if (row.runId() != null) {
                runs.add(Long.valueOf(row.runId()));
            }
        }
        traces.forEach((project, runs) -> {
            summaries.refresh(projectIds.get(project), runs.keySet().stream().map(HexFormat.of()::parseHex).toList());
            live.tracesStored(new TracesStored(project, runs));
        });
    }

    /** The project of each run id that names a run; ids that are no number name none. */
    private Map<String, String> runProjects(List<IncomingSpans.Row> rows) {
        Long[] ids = rows.stream().map(IncomingSpans.Row::runId).filter(id -> id != null && id.matches("\\d{1,18}"))
                .distinct().map(Long::valueOf).toArray(Long[]::new);
        Map<String, String> projects = new HashMap<>();
        if (ids.length > 0) {
            jdbc.query(RUN_PROJECTS, rs -> {
                projects.put(rs.getString(1), rs.getString(2));
            }, (Object) ids);
        }
        return projects;
    }

    /** Get-or-create, as createModel makes its project. */
    private long projectId(String name) {
        jdbc.update("insert into project (name, created_at) values (?, now()) on conflict (name) do nothing", name);
        return jdbc.queryForObject("select id from project where name = ?", Long.class, name);
    }

    private static void bind(PreparedStatement statement, IncomingSpans.Row row, Map<String, Long> projectIds,
            ModelPrices.Pricing pricing) throws SQLException {
        SpanMapping.Fields fields = row.fields();
        BigDecimal estimate = fields.cost() != null ? null
                : pricing.cost(fields.model(), fields.inputTokens(), fields.outputTokens());
        int i = 0;
        statement.setLong(++i, projectIds.get(row.project()));
        statement.setBytes(++i, row.traceId());
        statement.setBytes(++i, row.spanId());
        statement.setBytes(++i, row.parentSpanId());
        statement.setObject(++i, row.runId() == null ? null : Long.valueOf(row.runId()), Types.BIGINT);
        statement.setString(++i, row.name());
        statement.setString(++i, row.kind());
        statement.setObject(++i, row.startTime());
        statement.setObject(++i, row.endTime());
        statement.setLong(++i, row.durationNanos());
        statement.setString(++i, row.status());
        statement.setString(++i, row.statusMessage());
        statement.setString(++i, row.serviceName());
        statement.setString(++i, row.scopeName());
        statement.setString(++i, row.scopeVersion());
        statement.setString(++i, fields.type().name());
        statement.setString(++i, fields.operation());
        statement.setString(++i, fields.provider());
        statement.setString(++i, fields.model());
        statement.setObject(++i, fields.inputTokens(), Types.BIGINT);
        statement.setObject(++i, fields.outputTokens(), Types.BIGINT);
        statement.setBigDecimal(++i, estimate == null ? fields.cost() : estimate);
        statement.setBoolean(++i, estimate != null);
        statement.setString(++i, fields.sessionId());
        statement.setString(++i, row.attributes());
        statement.setString(++i, row.events());
        statement.setString(++i, row.links());
        statement.setString(++i, row.resource());
        statement.setInt(++i, SpanMapping.VERSION);
    }
}
