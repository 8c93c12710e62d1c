package dev.trackstack.backup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.trackstack.storage.StorageSchema;
import org.flywaydb.core.api.MigrationVersion;

/** Trackstack's tables in a database, as backup copies them: their columns, and parents before children. */
final class DatabaseTables {

    /**
     * Not copied: Flyway's history and the storage mode belong to the target database (restore migrates it
     * itself), unfinished uploads have their bytes outside the database, and the rollups are derived from the
     * points (restore rebuilds them).
     */
    static final Set<String> NOT_COPIED = Set.of("flyway_schema_history", "storage_mode", "upload",
            StorageSchema.DERIVED_TABLE);

    private DatabaseTables() {
    }

    /** Table name → its columns (those COPY can write), every table of the current schema, in foreign-key order. */
    static Map<String, List<String>> list(Connection connection) throws SQLException {
        Map<String, List<String>> columns = new LinkedHashMap<>();
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("""
                    select c.relname, a.attname from pg_class c
                    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                                       and a.attgenerated = ''
                    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
                      and not c.relispartition
                    order by c.relname, a.attnum""")) {
                while (rows.next()) {
                    if (!NOT_COPIED.contains(rows.getString(1))) {
                        columns.computeIfAbsent(rows.getString(1), table -> new ArrayList<>()).add(rows.getString(2));
                        parents.putIfAbsent(rows.getString(1), new HashSet<>());
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery("""
                    select child.relname, parent.relname from pg_constraint f
                    join pg_class child on child.oid = f.conrelid join pg_class parent on parent.oid = f.confrelid
                    where f.contype = 'f' and f.connamespace = current_schema()::regnamespace""")) {
                while (rows.next()) {
                    if (parents.containsKey(rows.getString(1)) && columns.containsKey(rows.getString(2))
                            && !rows.getString(1).equals(rows.getString(2))) {
                        parents.get(rows.getString(1)).add(rows.getString(2));
                    }
                }
            }
        }
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        while (ordered.size() < columns.size()) {
            int before = ordered.size();
            columns.forEach((table, its) -> {
                if (!ordered.containsKey(table) && ordered.keySet().containsAll(parents.get(table))) {
                    ordered.put(table, its);
                }
            });
            if (ordered.size() == before) {
                throw new IllegalStateException("Foreign keys in a cycle among " + parents);
            }
        }
        return ordered;
    }

    /** The Flyway schema version of the database; null when it holds no Trackstack schema. */
    static MigrationVersion schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet exists = statement.executeQuery("select to_regclass('flyway_schema_history') is not null")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return null;
            }
            MigrationVersion latest = MigrationVersion.EMPTY;
            try (ResultSet versions = statement.executeQuery(
                    "select version from flyway_schema_history where success and version is not null")) {
                while (versions.next()) {
                    MigrationVersion version = MigrationVersion.fromVersion(versions.getString(1));
                    latest = version.compareTo(latest) > 0 ? version : latest;
                }
            }
            return latest;
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    static String columnList(List<String> columns) {
        return String.join(", ", columns.stream().map(DatabaseTables::quote).toList());
    }
}
