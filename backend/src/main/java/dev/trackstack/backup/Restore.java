package dev.trackstack.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import javax.sql.DataSource;

import dev.trackstack.artifact.BlobStore;
import dev.trackstack.storage.StorageSchema;
import dev.trackstack.system.ServerVersion;
import dev.trackstack.system.Sha256;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Restores a backup into a database without data: migrates it to the backup's schema version, then copies every
 * table, rebuilds the rollups and moves the identity sequences past the restored ids, all in one transaction (a
 * failed restore leaves no data, and can be run again); the artifact files go to the blob store first. The
 * server's next start migrates the rest.
 */
final class Restore {

    private final Path file;
    private final ZipFile zip;
    private final BackupManifest manifest;

    private Restore(Path file, ZipFile zip, BackupManifest manifest) {
        this.file = file;
        this.zip = zip;
        this.manifest = manifest;
    }

    /** Opens a backup file and checks that this Trackstack can read it. */
    static Restore open(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new BackupException(file + " does not exist.");
        } catch (IOException e) {
            throw notABackup(file, "it is not a zip file (" + e.getMessage() + ")");
        }
        BackupManifest manifest;
        ZipEntry entry = zip.getEntry(BackupManifest.ENTRY);
        if (entry == null) {
            zip.close();
            throw notABackup(file, "it has no " + BackupManifest.ENTRY + ", which a backup writes last: it is incomplete"
                    + " or another zip file");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            // The format and its version first: a newer format's manifest may not read as this one's.
            JsonNode json = Backup.JSON.readTree(in);
            if (!BackupManifest.FORMAT.equals(json.path("format").asString(""))) {
                throw notABackup(file, "its " + BackupManifest.ENTRY + " is not a Trackstack backup's");
            }
            if (json.path("formatVersion").asInt() > BackupManifest.FORMAT_VERSION) {
                throw new BackupException(file + " was written by Trackstack " + json.path("trackstackVersion")
                        .asString("") + " in backup format " + json.path("formatVersion").asInt() + ", newer than this "
                        + "Trackstack (" + ServerVersion.ofThisBuild() + ") reads: restore it with Trackstack "
                        + json.path("trackstackVersion").asString("") + " or later.");
            }
            manifest = Backup.JSON.treeToValue(json, BackupManifest.class);
        } catch (JacksonException e) {
            zip.close();
            throw notABackup(file, "its " + BackupManifest.ENTRY + " cannot be read (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            zip.close();
            throw notABackup(file, "its " + BackupManifest.ENTRY + " cannot be read (" + e.getMessage() + ")");
        } catch (BackupException e) {
            zip.close();
            throw e;
        }
        if (manifest.tables() == null || manifest.schemaVersion() == null) {
            zip.close();
            throw notABackup(file, "its " + BackupManifest.ENTRY + " lacks its tables or schema version");
        }
        return new Restore(file, zip, manifest);
    }

    BackupManifest manifest() {
        return manifest;
    }

    /**
     * Restores into this database; artifact files into this store (through {@code spool}, a directory on the
     * store's file system), or not at all when null.
     */
    void into(DataSource dataSource, String databaseName, BlobStore blobs, Path spool)
            throws SQLException, IOException {
        MigrationVersion version = MigrationVersion.fromVersion(manifest.schemaVersion());
        try (Connection connection = dataSource.getConnection()) {
            checkKnown(dataSource, version);
            MigrationVersion current = DatabaseTables.schemaVersion(connection);
            if (current != null) {
                checkEmpty(connection, current, version, databaseName);
            } else {
                StorageSchema.migrations(dataSource).target(version).load().migrate();
            }
            connection.setAutoCommit(false);
            copyTables(connection);
            StorageSchema.rebuildRollups(connection);
            resetIdentities(connection);
            if (blobs != null) {
                restoreBlobs(blobs, spool);
            }
            connection.commit();
            connection.setAutoCommit(true);
            StorageSchema.refreshAggregates(connection);
        }
    }

    /** The backup's schema must be one of this Trackstack's migrations. */
    private void checkKnown(DataSource dataSource, MigrationVersion version) {
        MigrationVersion latest = MigrationVersion.EMPTY;
        for (MigrationInfo migration : StorageSchema.migrations(dataSource).load().info().all()) {
            if (migration.getVersion() != null && migration.getVersion().compareTo(latest) > 0) {
                latest = migration.getVersion();
            }
        }
        if (version.compareTo(latest) > 0) {
            throw new BackupException(file + " holds the database of Trackstack " + manifest.trackstackVersion()
                    + " (schema version " + version + "), newer than this Trackstack (" + ServerVersion.ofThisBuild()
                    + ", schema version " + latest + ") knows: restore it with Trackstack "
                    + manifest.trackstackVersion() + " or later.");
        }
    }

    /**
     * A database that Trackstack already migrated may take the backup when it is at the backup's schema version and
     * holds no project and no API token (a server started on it once, or an earlier restore that failed).
     */
    private static void checkEmpty(Connection connection, MigrationVersion current, MigrationVersion version,
            String databaseName) throws SQLException {
        String instead = ": restore into a new data directory (--trackstack.data-dir) or a new, empty database.";
        if (!current.equals(version)) {
            throw new BackupException(databaseName + " already holds Trackstack's tables at schema version " + current
                    + ", and the backup is at " + version + instead);
        }
        try (Statement statement = connection.createStatement(); ResultSet counts = statement.executeQuery(
                "select (select count(*) from project), (select count(*) from api_token)")) {
            counts.next();
            if (counts.getLong(1) > 0 || counts.getLong(2) > 0) {
                throw new BackupException(databaseName + " already holds data (" + counts.getLong(1) + " projects, "
                        + counts.getLong(2) + " API tokens)" + instead);
            }
        }
    }

    private void copyTables(Connection connection) throws SQLException, IOException {
        Map<String, List<String>> tables = DatabaseTables.list(connection);
        Map<String, BackupManifest.Table> backedUp = new HashMap<>();
        manifest.tables().forEach(table -> backedUp.put(table.name(), table));
        if (!tables.keySet().equals(backedUp.keySet())) {
            throw damaged("its tables " + new TreeSet<>(backedUp.keySet()) + " are not those of schema "
                    + "version " + manifest.schemaVersion() + " " + new TreeSet<>(tables.keySet()));
        }
        try (Statement statement = connection.createStatement()) {
            // What the migrations put in (prices, say) makes way for the backup's rows.
            statement.execute("truncate " + String.join(", ", tables.keySet().stream().map(DatabaseTables::quote)
                    .toList()) + " cascade");
            statement.execute("set datestyle = 'ISO'; set intervalstyle = 'postgres'");
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        for (String name : tables.keySet()) {
            BackupManifest.Table table = backedUp.get(name);
            ZipEntry entry = zip.getEntry(BackupManifest.TABLES + name);
            if (entry == null) {
                throw damaged("the table " + name + " is missing");
            }
            long rows;
            try (InputStream in = zip.getInputStream(entry)) {
                rows = copy.copyIn("copy " + DatabaseTables.quote(name) + " (" + DatabaseTables.columnList(
                        table.columns()) + ") from stdin", in);
            } catch (ZipException e) {
                throw damaged("the table " + name + " cannot be read (" + e.getMessage() + ")");
            }
            if (rows != table.rows()) {
                throw damaged("the table " + name + " has " + rows + " rows instead of " + table.rows());
            }
        }
    }

    /** Identity columns go on from the largest restored id, as they did in the backed-up database. */
    private static void resetIdentities(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet columns = statement.executeQuery("""
                select c.relname, a.attname, s.sequence from pg_class c
                join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                cross join lateral pg_get_serial_sequence(quote_ident(c.relname), a.attname) s(sequence)
                where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
                  and s.sequence is not null""")) {
            while (columns.next()) {
                try (PreparedStatement set = connection.prepareStatement("select setval(?, coalesce(max("
                        + DatabaseTables.quote(columns.getString(2)) + "), 0) + 1, false) from "
                        + DatabaseTables.quote(columns.getString(1)))) {
                    set.setString(1, columns.getString(3));
                    set.execute();
                }
            }
        }
    }

    /** Each file is checked against its SHA-256 (its name) as it is written. */
    private void restoreBlobs(BlobStore blobs, Path spool) throws IOException {
        Path partial = spool.resolve("restore-" + ProcessHandle.current().pid());
        try {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (!entry.getName().startsWith(BackupManifest.BLOBS)) {
                    continue;
                }
                String sha256 = entry.getName().substring(BackupManifest.BLOBS.length());
                MessageDigest digest = Sha256.digest();
                long size;
                try (InputStream in = new DigestInputStream(zip.getInputStream(entry), digest);
                        OutputStream out = Files.newOutputStream(partial)) {
                    size = in.transferTo(out);
                } catch (ZipException e) {
                    throw damaged("the artifact file " + sha256 + " cannot be read (" + e.getMessage() + ")");
                }
                if (!HexFormat.of().formatHex(digest.digest()).equals(sha256)) {
                    throw damaged("the artifact file " + sha256 + " does not match its SHA-256");
                }
                if (!blobs.exists(sha256)) {
                    blobs.put(sha256, partial, size);
                }
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private BackupException damaged(String what) {
        return new BackupException(file + " is damaged: " + what + "; nothing was restored.");
    }

    private static BackupException notABackup(Path file, String why) {
        return new BackupException(file + " is not a Trackstack backup: " + why + ".");
    }

    void close() throws IOException {
        zip.close();
    }
}
