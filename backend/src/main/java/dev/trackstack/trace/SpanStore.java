package dev.trackstack.trace;

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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Stores the spans of one OTLP request in one transaction: all of its accepted spans, or none. */
@Service
class SpanStore {

    /**
     * All spans of a request in one statement, a column per array parameter: one parse, one plan and one round
     * trip for hundreds of rows, where a batch of single-row inserts pays each of them per row. The JSON columns
     * come as UTF-8 bytes (the driver sends them as they are) and times as microseconds since 1970, each turned
     * into its type row by row: cheaper on both sides than text arrays cast to jsonb[] and timestamptz[].
     */
    private static final String INSERT = """
            insert into span (project_id, trace_id, span_id, parent_span_id, run_id, name, kind, start_time, end_time,
                duration_ns, status, status_message, service_name, scope_name, scope_version, span_type, operation,
                provider, model, input_tokens, output_tokens, cost, cost_estimated, session_id, prompt_name,
                prompt_version, attributes, events, links, resource, mapping_version)
            select project_id, trace_id, span_id, parent_span_id, run_id, name, kind,
                timestamptz 'epoch' + start_us * interval '1 microsecond',
                timestamptz 'epoch' + end_us * interval '1 microsecond', duration_ns, status, status_message,
                service_name, scope_name, scope_version, span_type, operation, provider, model, input_tokens,
                output_tokens, cost, cost_estimated, session_id, prompt_name, prompt_version,
                convert_from(attributes, 'UTF8')::jsonb, convert_from(events, 'UTF8')::jsonb,
                convert_from(links, 'UTF8')::jsonb, convert_from(resource, 'UTF8')::jsonb, ?::smallint
            from unnest(?::bigint[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bigint[], ?::text[], ?::text[],
                ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::numeric[], ?::boolean[],
                ?::text[], ?::text[], ?::int[], ?::bytea[], ?::bytea[], ?::bytea[], ?::bytea[])
                as s(project_id, trace_id, span_id, parent_span_id, run_id, name, kind, start_us, end_us, duration_ns,
                    status, status_message, service_name, scope_name, scope_version, span_type, operation, provider,
                    model, input_tokens, output_tokens, cost, cost_estimated, session_id, prompt_name, prompt_version,
                    attributes, events, links, resource)
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
            jdbc.update(INSERT, columns(accepted, projectIds, prices.pricing()));
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

    /** The rows as the parameters of INSERT: the mapping version, then one array per column. */
    private static Object[] columns(List<IncomingSpans.Row> rows, Map<String, Long> projectIds,
            ModelPrices.Pricing pricing) {
        int n = rows.size();
        Object[] columns = {(short) SpanMapping.VERSION, new Long[n], new byte[n][], new byte[n][], new byte[n][],
            new Long[n], new String[n], new String[n], new Long[n], new Long[n], new Long[n], new String[n],
            new String[n], new String[n], new String[n], new String[n], new String[n], new String[n], new String[n],
            new String[n], new Long[n], new Long[n], new String[n], new Boolean[n], new String[n], new String[n],
            new Integer[n], new byte[n][], new byte[n][], new byte[n][], new byte[n][]};
        for (int r = 0; r < n; r++) {
            IncomingSpans.Row row = rows.get(r);
            SpanMapping.Fields fields = row.fields();
            BigDecimal estimate = fields.cost() != null ? null
                    : pricing.cost(fields.model(), fields.inputTokens(), fields.outputTokens());
            BigDecimal cost = estimate == null ? fields.cost() : estimate;
            Object[] values = {projectIds.get(row.project()), row.traceId(), row.spanId(), row.parentSpanId(),
                row.runId() == null ? null : Long.valueOf(row.runId()), row.name(), row.kind(),
                micros(row.startNanos()), micros(row.endNanos()), row.endNanos() - row.startNanos(), row.status(),
                row.statusMessage(), row.serviceName(), row.scopeName(), row.scopeVersion(), fields.type().name(),
                fields.operation(), fields.provider(), fields.model(), fields.inputTokens(), fields.outputTokens(),
                cost == null ? null : cost.toPlainString(), estimate != null, fields.sessionId(), fields.promptName(),
                fields.promptVersion(), row.attributes(), row.events(), row.links(), row.resource()};
            for (int c = 0; c < values.length; c++) {
                ((Object[]) columns[c + 1])[r] = values[c];
            }
        }
        return columns;
    }

    /** Nanoseconds as the nearest microsecond, as PostgreSQL keeps times. */
    private static long micros(long nanos) {
        return Math.floorDiv(nanos + 500, 1000);
    }
}
