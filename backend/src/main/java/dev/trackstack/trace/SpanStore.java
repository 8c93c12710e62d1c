package dev.trackstack.trace;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
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
import dev.trackstack.project.ProjectIds;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Stores the spans of one OTLP request in one transaction: all of its accepted spans, or none. */
@Service
class SpanStore {

    /**
     * A request's spans go to the database in PostgreSQL's binary COPY format, into this table of the session (which
     * a commit empties), and then into the span table in one statement that skips the spans stored already. Binary
     * COPY costs neither side an escaping or array parsing per value, where the columns as array parameters did.
     */
    private static final String INCOMING = """
            create temp table if not exists span_incoming (project_id bigint, trace_id bytea, span_id bytea,
                parent_span_id bytea, run_id bigint, name text, kind text, start_time timestamptz,
                end_time timestamptz, duration_ns bigint, status text, status_message text, service_name text,
                scope_name text, scope_version text, span_type text, operation text, provider text, model text,
                input_tokens bigint, output_tokens bigint, cost text, cost_estimated boolean, session_id text,
                prompt_name text, prompt_version int, attributes jsonb, events jsonb, links jsonb, resource jsonb)
            on commit delete rows
            """;

    private static final String COPY = "copy span_incoming from stdin (format binary)";

    private static final String INSERT = """
            insert into span (project_id, trace_id, span_id, parent_span_id, run_id, name, kind, start_time, end_time,
                duration_ns, status, status_message, service_name, scope_name, scope_version, span_type, operation,
                provider, model, input_tokens, output_tokens, cost, cost_estimated, session_id, prompt_name,
                prompt_version, attributes, events, links, resource, mapping_version)
            select project_id, trace_id, span_id, parent_span_id, run_id, name, kind, start_time, end_time,
                duration_ns, status, status_message, service_name, scope_name, scope_version, span_type, operation,
                provider, model, input_tokens, output_tokens, cost::numeric, cost_estimated, session_id, prompt_name,
                prompt_version, attributes, events, links, resource, ?
            from span_incoming
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
    private final ProjectIds projects;

    SpanStore(JdbcTemplate jdbc, TraceSummaries summaries, ModelPrices prices, LiveEvents live, ProjectIds projects) {
        this.jdbc = jdbc;
        this.summaries = summaries;
        this.prices = prices;
        this.live = live;
        this.projects = projects;
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
                projectIds.computeIfAbsent(row.project(), projects::getOrCreate);
                accepted.add(row);
            }
        }
        if (!accepted.isEmpty()) {
            byte[] copy = copyRows(accepted, projectIds, prices.pricing());
            jdbc.execute(INCOMING);
            jdbc.execute((ConnectionCallback<Long>) connection -> {
                try {
                    return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY,
                            new ByteArrayInputStream(copy));
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // from a byte array: does not happen
                }
            });
            jdbc.update(INSERT, (short) SpanMapping.VERSION);
        }
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

    /** The rows in the binary COPY format of span_incoming's columns. */
    private static byte[] copyRows(List<IncomingSpans.Row> rows, Map<String, Long> projectIds,
            ModelPrices.Pricing pricing) {
        BinaryCopy copy = new BinaryCopy();
        for (IncomingSpans.Row row : rows) {
            SpanMapping.Fields fields = row.fields();
            BigDecimal estimate = fields.cost() != null ? null
                    : pricing.cost(fields.model(), fields.inputTokens(), fields.outputTokens());
            BigDecimal cost = estimate == null ? fields.cost() : estimate;
            copy.row(30);
            copy.int8(projectIds.get(row.project()));
            copy.bytes(row.traceId());
            copy.bytes(row.spanId());
            copy.bytes(row.parentSpanId());
            copy.int8(row.runId() == null ? null : Long.valueOf(row.runId()));
            copy.text(row.name());
            copy.text(row.kind());
            copy.timestamp(row.startNanos());
            copy.timestamp(row.endNanos());
            copy.int8(row.endNanos() - row.startNanos());
            copy.text(row.status());
            copy.text(row.statusMessage());
            copy.text(row.serviceName());
            copy.text(row.scopeName());
            copy.text(row.scopeVersion());
            copy.text(fields.type().name());
            copy.text(fields.operation());
            copy.text(fields.provider());
            copy.text(fields.model());
            copy.int8(fields.inputTokens());
            copy.int8(fields.outputTokens());
            copy.text(cost == null ? null : cost.toPlainString());
            copy.bool(estimate != null);
            copy.text(fields.sessionId());
            copy.text(fields.promptName());
            copy.int4(fields.promptVersion());
            copy.jsonb(row.attributes());
            copy.jsonb(row.events());
            copy.jsonb(row.links());
            copy.jsonb(row.resource());
        }
        return copy.end();
    }
}
