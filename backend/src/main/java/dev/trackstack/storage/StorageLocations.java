package dev.trackstack.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.stream.Stream;

import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * Adds the migrations of the database's storage mode to the common ones (db/migration): db/timescaledb for
 * TimescaleDB with continuous aggregates. The mode is the one recorded in {@code storage_mode}, or, for a new
 * database, the one that {@link StorageMigration} is about to pick.
 */
@Component
class StorageLocations implements FlywayConfigurationCustomizer {

    static final Location TIMESCALEDB = new Location("classpath:db/timescaledb");

    @Override
    public void customize(FluentConfiguration configuration) {
        if (mode(configuration) == StorageMode.TIMESCALEDB) {
            configuration.locations(Stream.concat(Arrays.stream(configuration.getLocations()), Stream.of(TIMESCALEDB))
                    .toArray(Location[]::new));
        }
    }

    private static StorageMode mode(FluentConfiguration configuration) {
        try (Connection connection = configuration.getDataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet recorded = statement.executeQuery("select to_regclass('storage_mode') is not null")) {
            recorded.next();
            if (!recorded.getBoolean(1)) {
                return StorageMigration.detect(connection);
            }
            try (ResultSet mode = statement.executeQuery("select mode from storage_mode")) {
                mode.next();
                return StorageMode.valueOf(mode.getString(1));
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("Could not read the database's storage mode", e);
        }
    }
}
