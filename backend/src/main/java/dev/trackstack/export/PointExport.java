package dev.trackstack.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.trackstack.system.EpochMicros;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads every stored point of the filtered series, series by series in (run, name, split) order and each in step
 * order straight from the points table's key, through a cursor: rows come {@link #FETCH_SIZE} at a time, so the
 * server holds a fetch, never the export.
 */
@Component
class PointExport {

    static final int FETCH_SIZE = 5000;

    private final JdbcTemplate jdbc;
    private final JdbcTemplate cursor;
    private final TransactionTemplate readOnly;

    PointExport(JdbcTemplate jdbc, DataSource dataSource, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.cursor = new JdbcTemplate(dataSource);
        cursor.setFetchSize(FETCH_SIZE);
        this.readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);
    }

    private record Series(long id, long runId, String runName, String name, String split) {
    }

    /** Writes the points into the writer; pgjdbc uses a cursor only inside a transaction, hence the transaction. */
    void export(ExportFilter filter, PointWriter writer) {
        readOnly.executeWithoutResult(status -> {
            List<Object> arguments = new ArrayList<>();
            List<Series> series = jdbc.query("""
                    select s.id, s.run_id, r.name, s.name, s.split
                    from metric_series s join run r on r.id = s.run_id join model m on m.id = r.model_id
                    where %s
                    order by s.run_id, s.name, s.split nulls first
                    """.formatted(filter.where(true, arguments)),
                    (rs, i) -> new Series(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)), arguments.toArray());
            try {
                for (Series one : series) {
                    writer.series(one.runId(), one.runName(), one.name(), one.split());
                    cursor.query("select step, " + EpochMicros.sql("ts") + ", value from metric_point "
                            + "where series_id = ? order by step", rs -> {
                                try {
                                    writer.point(rs.getLong(1), rs.getLong(2), rs.getDouble(3));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }, one.id());
                }
                writer.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
