package dev.trackstack.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Flyway V3: detects what the database can do and creates the best points storage for it, recording the
 * mode in {@code storage_mode}. A Java migration because SQL alone cannot branch on an extension that may
 * be absent; the SQL itself stays in db/storage/*.sql. Databases made by earlier versions also got their continuous
 * aggregates here; they now come from db/timescaledb/R__continuous_aggregates.sql, which leaves those alone.
 */
@Component
class StorageMigration implements JavaMigration {

    private static final Logger log = LoggerFactory.getLogger(StorageMigration.class);

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("3");
    }

    @Override
    public String getDescription() {
        return "metric storage for the database's capabilities";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        StorageMode mode = detect(connection);
        log.info("Creating metric storage for {}", mode);
        try (Statement statement = connection.createStatement()) {
            statement.execute("create table storage_mode (mode text not null primary key)");
            statement.execute("insert into storage_mode values ('" + mode.name() + "')");
            if (mode.hypertable()) {
                statement.execute(script("hypertable.sql"));
            }
            // The continuous aggregates follow in db/timescaledb (see StorageLocations).
            statement.execute(script(mode.rollupsAtIngest() ? "rollups.sql" : "compression.sql"));
        }
    }

    /** Full TimescaleDB needs the library preloaded and the community license; anything less degrades. */
    static StorageMode detect(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("""
                        select exists (select from pg_available_extensions where name = 'timescaledb'),
                               current_setting('shared_preload_libraries') ~ 'timescaledb',
                               current_setting('timescaledb.license', true)
                        """)) {
            rs.next();
            if (!rs.getBoolean(1) || !rs.getBoolean(2)) {
                return StorageMode.POSTGRESQL;
            }
            return "apache".equals(rs.getString(3)) ? StorageMode.TIMESCALEDB_APACHE : StorageMode.TIMESCALEDB;
        }
    }

    private static String script(String name) throws IOException {
        try (InputStream in = StorageMigration.class.getResourceAsStream("/db/storage/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
