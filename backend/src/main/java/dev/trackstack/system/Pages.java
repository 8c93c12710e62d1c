package dev.trackstack.system;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/** Runs the paged queries of the trace, prompt and eval packages, with offset cursors as the runs connection has them. */
@Component
public class Pages {

    private final NamedParameterJdbcTemplate jdbc;
    private final int maxPageSize;

    Pages(NamedParameterJdbcTemplate jdbc, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.maxPageSize = properties.limits().pageSize();
    }

    /**
     * The page of {@code first} rows ({@code defaultSize} when null) after the cursor {@code after}: {@code rows}
     * ends with {@code limit :limit offset :offset}, and {@code count} counts all rows when the total is asked
     * for. Counting apart lets the page be read by an index or a top-N sort rather than after all matching rows
     * were gathered and sorted.
     */
    public <T> Page<T> query(String rows, String count, MapSqlParameterSource params, Integer pageSize,
            int defaultSize, String after, RowMapper<T> mapper) {
        return query(rows, count, params, pageSize, defaultSize, maxPageSize, after, mapper);
    }

    /** As above, with a largest page of its own (an artifact version's files, 1,000 by default). */
    public <T> Page<T> query(String rows, String count, MapSqlParameterSource params, Integer pageSize,
            int defaultSize, int maxPageSize, String after, RowMapper<T> mapper) {
        int first = pageSize == null ? defaultSize : pageSize;
        if (first < 0 || first > maxPageSize) {
            throw ApiException.limit("first = " + first + " (it must also be >= 0)", maxPageSize);
        }
        int offset = after == null ? 0 : OffsetCursor.decode(after);
        params.addValue("limit", first + 1).addValue("offset", offset);
        List<T> found = jdbc.query(rows, params, mapper);
        List<Page.Edge<T>> edges = new ArrayList<>();
        for (int i = 0; i < Math.min(first, found.size()); i++) {
            edges.add(new Page.Edge<>(OffsetCursor.encode(offset + i + 1), found.get(i)));
        }
        String endCursor = edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor();
        return new Page<>(edges, new Page.PageInfo(found.size() > first, endCursor),
                () -> jdbc.queryForObject(count, params, Integer.class));
    }

    /**
     * As {@link #query}, for rows that must all be gathered anyway (grouped, filtered on aggregates): {@code rows}
     * also selects {@code count(*) over () as total_count}, so that the page and its count are one statement;
     * {@code count} runs only for a page past the end, which has no row to carry it.
     */
    public <T> Page<T> queryCounted(String rows, String count, MapSqlParameterSource params, Integer pageSize,
            int defaultSize, String after, RowMapper<T> mapper) {
        AtomicInteger total = new AtomicInteger(-1);
        Page<T> page = query(rows, count, params, pageSize, defaultSize, after, (rs, i) -> {
            total.set(rs.getInt("total_count"));
            return mapper.mapRow(rs, i);
        });
        return new Page<>(page.edges(), page.pageInfo(),
                () -> total.get() >= 0 ? total.get() : page.totalCount());
    }
}
