package dev.trackstack.trace;

import java.time.OffsetDateTime;
import java.util.List;

import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Controller;

/**
 * Counts LLM calls, the spans with a model, of the traces a project or a run sees (TraceScope), grouped by
 * model and/or UTC day. A dimension not grouped by is a null constant in the SQL, so that one statement serves
 * every grouping.
 */
@Controller
class LlmUsageController {

    private static final String USAGE = """
            select %s as model, %s as day, count(*)::int as calls,
                   (count(*) filter (where t.status = 'ERROR'))::int as error_count,
                   sum(t.input_tokens)::bigint as input_tokens, sum(t.output_tokens)::bigint as output_tokens,
                   sum(t.cost) as cost,
                   percentile_disc(0.5) within group (order by t.duration_ns) as p50,
                   percentile_disc(0.95) within group (order by t.duration_ns) as p95
            from span t
            where t.model is not null and %s
            group by 1, 2
            order by day, model
            """;

    private final NamedParameterJdbcTemplate jdbc;

    LlmUsageController(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @QueryMapping
    List<LlmUsage> llmUsage(@Argument String project, @Argument String runId, @Argument OffsetDateTime from,
            @Argument OffsetDateTime to, @Argument List<LlmUsage.Dimension> groupBy) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        List<String> conditions = TraceScope.of("llmUsage", project, runId).conditions(params);
        if (from != null) {
            conditions.add("t.start_time >= :from");
            params.addValue("from", from);
        }
        if (to != null) {
            conditions.add("t.start_time < :to");
            params.addValue("to", to);
        }
        String sql = USAGE.formatted(groupBy.contains(LlmUsage.Dimension.MODEL) ? "t.model" : "null::text",
                groupBy.contains(LlmUsage.Dimension.DAY) ? "to_char(t.start_time at time zone 'UTC', 'YYYY-MM-DD')"
                        : "null::text", String.join(" and ", conditions));
        return jdbc.query(sql, params, (rs, i) -> new LlmUsage(rs.getString("model"), rs.getString("day"),
                rs.getInt("calls"), rs.getInt("error_count"), rs.getObject("input_tokens", Long.class),
                rs.getObject("output_tokens", Long.class), rs.getBigDecimal("cost"), rs.getLong("p50"),
                rs.getLong("p95")));
    }
}
