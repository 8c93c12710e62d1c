package dev.trackstack.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * What restoring a backup needs of the schema outside the server: the server's migrations (with the storage mode's
 * own), and the downsampled levels, which are derived from the points and so rebuilt rather than restored.
 */
public final class StorageSchema {

    /** Tables that restore rebuilds from the points instead of copying. */
    public static final String DERIVED_TABLE = "metric_rollup";

    private static final String FOLD_ALL_POINTS = Rollups.UPSERT.formatted(
            "metric_point p cross join unnest(?::int[]) as l(level)");

    private StorageSchema() {
    }

    /** The server's migrations on this database, as Spring Boot configures them (locations, V3 in Java). */
    public static FluentConfiguration migrations(DataSource dataSource) {
        FluentConfiguration configuration = Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration").javaMigrations(new StorageMigration());
        new StorageLocations().customize(configuration);
        return configuration;
    }

    /** Folds every point into the rollups, where ingest keeps them; the rollups must be empty. */
    public static void rebuildRollups(Connection connection) throws SQLException {
        if (mode(connection).rollupsAtIngest()) {
            try (PreparedStatement fold = connection.prepareStatement(FOLD_ALL_POINTS)) {
                fold.setObject(1, Rollups.LEVELS);
                fold.executeUpdate();
            }
        }
    }

    /**
     * Materializes the continuous aggregates over all points, where they are used; in auto-commit, after the points
     * committed. Reads are right before it too (they take what is not materialized from the points), only slower.
     */
    public static void refreshAggregates(Connection connection) throws SQLException {
        if (mode(connection) == StorageMode.TIMESCALEDB) {
            try (Statement statement = connection.createStatement()) {
                for (AggregateLevel level : AggregateLevel.values()) {
                    // The views come from a repeatable migration, which the server's start applies if Flyway has not.
                    try (ResultSet view = statement.executeQuery("select to_regclass('" + level.view() + "')")) {
                        if (!view.next() || view.getString(1) == null) {
                            return;
                        }
                    }
                    statement.execute("call refresh_continuous_aggregate('" + level.view() + "', null, null)");
                }
            }
        }
    }

    private static StorageMode mode(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet mode = statement.executeQuery("select mode from storage_mode")) {
            mode.next();
            return StorageMode.valueOf(mode.getString(1));
        }
    }
}
