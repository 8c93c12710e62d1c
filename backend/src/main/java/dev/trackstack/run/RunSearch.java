package dev.trackstack.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trackstack.run.RunFilter.CompareOp;
import dev.trackstack.run.RunFilter.SummaryStat;
import dev.trackstack.system.ApiException;
import dev.trackstack.system.Ids;
import dev.trackstack.system.OffsetCursor;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runs connection: filters and sort keys become SQL with bound parameters (never user text in the SQL),
 * and the page of ids is then loaded as entities. Cursors are opaque offsets.
 */
@Service
public class RunSearch {

    private static final int DEFAULT_PAGE_SIZE = 50;

    private final NamedParameterJdbcTemplate jdbc;
    private final RunRepository runs;
    private final JsonMapper json;
    private final TrackstackProperties.Limits limits;

    RunSearch(NamedParameterJdbcTemplate jdbc, RunRepository runs, JsonMapper json, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.json = json;
        this.limits = properties.limits();
    }

    /** @param visibleProjects the names of the projects the caller sees; null for all */
    @Transactional(readOnly = true)
    public RunConnection search(String project, Long modelId, Collection<String> visibleProjects, RunFilter filter,
            List<RunOrder> orderBy, Integer pageSize, String after) {
        int first = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        if (first < 0 || first > limits.pageSize()) {
            throw ApiException.limit("first = " + first + " (it must also be >= 0)", limits.pageSize());
        }
        int offset = after == null ? 0 : OffsetCursor.decode(after);
        Sql sql = new Sql();
        StringBuilder where = new StringBuilder("true");
        if (project != null) {
            where.append(" and r.model_id in (select m.id from model m join project p on p.id = m.project_id"
                    + " where p.name = ").append(sql.bind(project)).append(")");
        }
        if (modelId != null) {
            where.append(" and r.model_id = ").append(sql.bind(modelId));
        }
        if (visibleProjects != null) {
            where.append(" and r.model_id in (select m.id from model m join project p on p.id = m.project_id"
                    + " where p.name = any(").append(sql.bind(visibleProjects.toArray(String[]::new))).append("))");
        }
        if (filter != null) {
            appendFilter(filter, sql, where);
        }
        StringBuilder order = new StringBuilder();
        for (RunOrder o : orderBy == null ? List.<RunOrder>of() : orderBy) {
            order.append(sortKey(o, sql)).append(o.direction() == RunOrder.Direction.DESC ? " desc" : " asc")
                    .append(" nulls last, ");
        }
        order.append("r.created_at desc, r.id desc");
        String query = "select r.id, count(*) over () from run r where " + where + " order by " + order
                + " limit " + sql.bind(first + 1) + " offset " + sql.bind(offset);
        List<long[]> rows = jdbc.query(query, sql.params, (rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)});

        boolean hasNext = rows.size() > first;
        List<Long> ids = rows.stream().limit(first).map(r -> r[0]).toList();
        Map<Long, Run> loaded = runs.findAllById(ids).stream()
                .collect(Collectors.toMap(Run::getId, Function.identity()));
        List<RunConnection.Edge> edges = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            edges.add(new RunConnection.Edge(OffsetCursor.encode(offset + i + 1), loaded.get(ids.get(i))));
        }
        int total = rows.isEmpty() ? countAll(where, sql) : (int) rows.get(0)[1];
        String endCursor = edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor();
        return new RunConnection(edges, new RunConnection.PageInfo(hasNext, endCursor), total);
    }

    /** A page past the end has no rows to carry the window count. */
    private int countAll(StringBuilder where, Sql sql) {
        Integer count = jdbc.queryForObject("select count(*) from run r where " + where, sql.params, Integer.class);
        return count == null ? 0 : count;
    }

    private void appendFilter(RunFilter filter, Sql sql, StringBuilder where) {
        if (filter.ids() != null) {
            where.append(" and r.id = any(").append(sql.bind(Arrays.stream(Ids.parseAll(filter.ids())).boxed()
                    .toArray(Long[]::new)))
                    .append(")");
        }
        if (filter.kinds() != null && !filter.kinds().isEmpty()) {
            where.append(" and r.kind = any(").append(sql.bind(filter.kinds().stream().map(Enum::name)
                    .toArray(String[]::new))).append(")");
        }
        if (filter.status() != null && !filter.status().isEmpty()) {
            where.append(" and r.status = any(").append(sql.bind(filter.status().stream().map(Enum::name)
                    .toArray(String[]::new))).append(")");
        }
        if (filter.tags() != null && !filter.tags().isEmpty()) {
            where.append(" and r.tags @> ").append(sql.bind(filter.tags().toArray(String[]::new)))
                    .append("::text[]");
        }
        if (filter.nameContains() != null && !filter.nameContains().isEmpty()) {
            String pattern = "%" + filter.nameContains().replaceAll("([\\\\%_])", "\\\\$1") + "%";
            where.append(" and r.name ilike ").append(sql.bind(pattern));
        }
        for (RunFilter.ParamFilter p : filter.params() == null ? List.<RunFilter.ParamFilter>of() : filter.params()) {
            where.append(" and ").append(paramCondition(p, sql));
        }
        for (RunFilter.MetricFilter m : filter.metrics() == null ? List.<RunFilter.MetricFilter>of()
                : filter.metrics()) {
            where.append(" and exists (select 1 from metric_series s where s.run_id = r.id and s.name = ")
                    .append(sql.bind(m.name())).append(" and coalesce(s.split, '') = ")
                    .append(sql.bind(m.split() == null ? "" : m.split())).append(" and s.")
                    .append(statColumn(m.stat())).append(operator(m.op())).append(sql.bind(m.value())).append(")");
        }
    }

    /** EQ and NE use jsonb containment (served by the GIN index); ordering operators compare numbers. */
    private String paramCondition(RunFilter.ParamFilter p, Sql sql) {
        String[] path = path(p.key());
        if (p.op() == CompareOp.EQ || p.op() == CompareOp.NE) {
            Object nested = p.value();
            for (int i = path.length - 1; i >= 0; i--) {
                nested = Collections.singletonMap(path[i], nested);
            }
            String contains = "r.hyperparameters @> " + sql.bind(json.writeValueAsString(nested)) + "::jsonb";
            return p.op() == CompareOp.EQ ? contains : "not (" + contains + ")";
        }
        if (!(p.value() instanceof Number number)) {
            throw ApiException.badInput("Parameter filter " + p.op() + " on '" + p.key() + "' needs a number");
        }
        String bound = sql.bind(path) + "::text[]";
        return "(case when jsonb_typeof(r.hyperparameters #> " + bound + ") = 'number'"
                + " then (r.hyperparameters #>> " + bound + ")::numeric end)" + operator(p.op())
                + sql.bind(number.doubleValue()) + "::numeric";
    }

    private String sortKey(RunOrder o, Sql sql) {
        return switch (o.field()) {
            case CREATED_AT -> "r.created_at";
            case NAME -> "r.name";
            case STATUS -> "r.status";
            case PARAM -> {
                if (o.param() == null) {
                    throw ApiException.badInput("Sorting by PARAM needs 'param'");
                }
                yield "r.hyperparameters #> " + sql.bind(path(o.param())) + "::text[]";
            }
            case METRIC -> {
                if (o.metric() == null) {
                    throw ApiException.badInput("Sorting by METRIC needs 'metric'");
                }
                yield "(select s." + statColumn(o.metric().stat()) + " from metric_series s where s.run_id = r.id"
                        + " and s.name = " + sql.bind(o.metric().name()) + " and coalesce(s.split, '') = "
                        + sql.bind(o.metric().split() == null ? "" : o.metric().split()) + ")";
            }
        };
    }

    private String[] path(String key) {
        if (key == null || key.isEmpty() || key.length() > limits.nameLength()) {
            throw ApiException.badInput("A hyperparameter key must be 1 to " + limits.nameLength() + " characters");
        }
        return key.split("\\.");
    }

    private static String statColumn(SummaryStat stat) {
        return switch (stat == null ? SummaryStat.LAST : stat) {
            case LAST -> "last_value";
            case MIN -> "min_value";
            case MAX -> "max_value";
        };
    }

    private static String operator(CompareOp op) {
        return switch (op) {
            case EQ -> " = ";
            case NE -> " <> ";
            case LT -> " < ";
            case LTE -> " <= ";
            case GT -> " > ";
            case GTE -> " >= ";
        };
    }

    /** Bound parameters, named in the order they are added. */
    private static final class Sql {

        final MapSqlParameterSource params = new MapSqlParameterSource();

        String bind(Object value) {
            String name = "p" + params.getValues().size();
            params.addValue(name, value);
            return ":" + name;
        }
    }
}
