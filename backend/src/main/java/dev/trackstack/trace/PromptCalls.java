package dev.trackstack.trace;

import java.math.BigDecimal;

import dev.trackstack.prompt.PromptVersion;
import dev.trackstack.system.Page;
import dev.trackstack.system.Pages;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;

/**
 * The traced calls that used a prompt version (PromptVersion.usage and .calls): the spans whose prompt name and
 * version SpanMapping lifted from their attributes, read by the index span_prompt.
 */
@Controller
class PromptCalls {

    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final String WHERE = """
             where s.project_id = :project and s.prompt_name = :name and s.prompt_version = :version
            """;

    /** GraphQL type PromptUsage. */
    record Usage(int calls, int errorCount, Long inputTokens, Long outputTokens, Long totalTokens, BigDecimal cost,
            Long latencyAvgNanos, Long latencyP50Nanos) {
    }

    private final NamedParameterJdbcTemplate jdbc;
    private final Pages pages;
    private final TraceSearch search;

    PromptCalls(NamedParameterJdbcTemplate jdbc, Pages pages, TraceSearch search) {
        this.jdbc = jdbc;
        this.pages = pages;
        this.search = search;
    }

    @SchemaMapping(typeName = "PromptVersion")
    @Transactional(readOnly = true)
    Usage usage(PromptVersion version) {
        return jdbc.queryForObject("""
                select count(*)::int as calls, (count(*) filter (where s.status = 'ERROR'))::int as errors,
                       sum(s.input_tokens)::bigint as input_tokens, sum(s.output_tokens)::bigint as output_tokens,
                       sum(coalesce(s.input_tokens, 0) + coalesce(s.output_tokens, 0))
                           filter (where s.input_tokens is not null or s.output_tokens is not null)::bigint as total,
                       sum(s.cost) as cost, avg(s.duration_ns)::bigint as average,
                       percentile_disc(0.5) within group (order by s.duration_ns) as p50
                from span s
                """ + WHERE, params(version), (rs, i) -> new Usage(rs.getInt("calls"), rs.getInt("errors"),
                rs.getObject("input_tokens", Long.class), rs.getObject("output_tokens", Long.class),
                rs.getObject("total", Long.class), rs.getBigDecimal("cost"), rs.getObject("average", Long.class),
                rs.getObject("p50", Long.class)));
    }

    @SchemaMapping(typeName = "PromptVersion")
    @Transactional(readOnly = true)
    Page<TraceSpan> calls(PromptVersion version, @Argument Integer first, @Argument String after) {
        return pages.query("select s.*, encode(s.trace_id, 'hex') as trace_hex from span s" + WHERE
                + " order by s.start_time desc, s.span_id limit :limit offset :offset",
                "select count(*) from span s" + WHERE, params(version), first, DEFAULT_PAGE_SIZE, after,
                (rs, i) -> search.span(rs));
    }

    private static MapSqlParameterSource params(PromptVersion version) {
        return new MapSqlParameterSource("project", version.projectId()).addValue("name", version.name())
                .addValue("version", version.version());
    }
}
