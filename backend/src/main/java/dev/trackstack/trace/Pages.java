package dev.trackstack.trace;

import java.util.ArrayList;
import java.util.List;

import dev.trackstack.system.ApiException;
import dev.trackstack.system.OffsetCursor;
import dev.trackstack.system.TrackstackProperties;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/** Runs the paged queries of the trace package, with offset cursors as the runs connection has them. */
@Component
class Pages {

    private final NamedParameterJdbcTemplate jdbc;
    private final int maxPageSize;

    Pages(NamedParameterJdbcTemplate jdbc, TrackstackProperties properties) {
        this.jdbc = jdbc;
        this.maxPageSize = properties.limits().pageSize();
    }

    /**
     * The page of {@code first} rows ({@code defaultSize} when null) after the cursor {@code after}. The query ends with
     * {@code limit :limit offset :offset} and gives each row the count of all rows as column {@code total}.
     */
    <T> Page<T> query(String sql, MapSqlParameterSource params, Integer pageSize, int defaultSize, String after,
            RowMapper<T> rows) {
        int first = pageSize == null ? defaultSize : pageSize;
        if (first < 0 || first > maxPageSize) {
            throw ApiException.limit("first = " + first + " (it must also be >= 0)", maxPageSize);
        }
        int offset = after == null ? 0 : OffsetCursor.decode(after);
        params.addValue("limit", first + 1).addValue("offset", offset);
        List<T> found = new ArrayList<>();
        int[] total = {0};
        jdbc.query(sql, params, rs -> {
            found.add(rows.mapRow(rs, found.size()));
            total[0] = rs.getInt("total");
        });
        List<Page.Edge<T>> edges = new ArrayList<>();
        for (int i = 0; i < Math.min(first, found.size()); i++) {
            edges.add(new Page.Edge<>(OffsetCursor.encode(offset + i + 1), found.get(i)));
        }
        if (found.isEmpty() && offset > 0) {
            // A page past the end has no rows to carry the window count.
            params.addValue("offset", 0).addValue("limit", 1);
            jdbc.query(sql, params, rs -> {
                total[0] = rs.getInt("total");
            });
        }
        String endCursor = edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor();
        return new Page<>(edges, new Page.PageInfo(found.size() > first, endCursor), total[0]);
    }
}
