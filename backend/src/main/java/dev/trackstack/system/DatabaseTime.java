package dev.trackstack.system;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.stereotype.Component;

/**
 * How long a statement may wait for the database's answer. The pool bounds every connection to 5 s (the socket
 * timeout in application.properties), so that a database that hangs makes requests answer UNAVAILABLE within 5 s;
 * the operations that may rightly run for minutes (deleting or rewinding runs of millions of points, refreshing
 * aggregates, migrations) lift that bound for their connection. The pool restores it when the connection returns.
 */
@Component
public class DatabaseTime implements FlywayConfigurationCustomizer {

    /** The bound of a long operation's statements: long enough for any deletion, short of forever. */
    public static final Duration LONG_STATEMENT = Duration.ofMinutes(30);

    /** Lifts the bound on the connection of the current transaction. */
    public static void allowLongStatements(DataSource dataSource) {
        try {
            allowLongStatements(DataSourceUtils.getConnection(dataSource));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set the network timeout of the connection", e);
        }
    }

    public static void allowLongStatements(Connection connection) throws SQLException {
        connection.setNetworkTimeout(Runnable::run, (int) LONG_STATEMENT.toMillis());
    }

    /** Migrations (index builds, storage changes over existing points) get the long bound on every connection. */
    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.dataSource(new DelegatingDataSource(configuration.getDataSource()) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = super.getConnection();
                allowLongStatements(connection);
                return connection;
            }
        });
    }
}
