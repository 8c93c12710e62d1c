package dev.trackstack.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;

import javax.sql.DataSource;

import dev.trackstack.system.DatabaseTime;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Brings the continuous aggregates up to date for a time range whose points were removed, once the removal
 * has committed: their policies would do it within minutes, but a rewound run must not show the old points.
 */
@Component
public class AggregateRefresh {

    private final DataSource dataSource;

    AggregateRefresh(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Refreshes every level over [from, to] after the current transaction commits. */
    public void afterCommit(OffsetDateTime from, OffsetDateTime to) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                refresh(from, to);
            }
        });
    }

    void refresh(OffsetDateTime from, OffsetDateTime to) {
        // A connection of its own, in auto-commit: refresh_continuous_aggregate cannot run in a transaction.
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            DatabaseTime.allowLongStatements(connection);
            for (AggregateLevel level : AggregateLevel.values()) {
                refresh(connection, level, from, to);
            }
        } catch (SQLException | InterruptedException e) {
            throw new DataAccessResourceFailureException("Refreshing the continuous aggregates failed", e);
        }
    }

    /** Waits out a policy refreshing the same level (it answers lock_not_available meanwhile). */
    private static void refresh(Connection connection, AggregateLevel level, OffsetDateTime from, OffsetDateTime to)
            throws SQLException, InterruptedException {
        String width = "interval '" + level.seconds() + " seconds'";
        String sql = "call refresh_continuous_aggregate('" + level.view() + "', time_bucket(" + width
                + ", ?::timestamptz), time_bucket(" + width + ", ?::timestamptz) + " + width + ")";
        for (int attempt = 1; ; attempt++) {
            try (PreparedStatement call = connection.prepareStatement(sql)) {
                call.setObject(1, from);
                call.setObject(2, to);
                call.execute();
                return;
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState()) || attempt == 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
