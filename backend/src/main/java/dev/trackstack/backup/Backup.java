package dev.trackstack.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.trackstack.artifact.BlobStore;
import dev.trackstack.system.ServerVersion;
import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a backup of a database while the server keeps writing to it: every table read in one REPEATABLE READ
 * snapshot, streamed with COPY into the zip that {@link BackupManifest} describes, then the artifact files that
 * snapshot references. Nothing is held in memory but a buffer; the file appears under its name only when whole.
 */
final class Backup {

    static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private Backup() {
    }

    /** Answers the manifest written. */
    static BackupManifest write(Connection connection, BlobStore blobs, Path file, List<String> warnings)
            throws SQLException, IOException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
        try (Statement statement = connection.createStatement()) {
            // As pg_dump reads: doubles exactly (shortest exact form), dates in ISO.
            statement.execute("set extra_float_digits = 3; set datestyle = 'ISO'; set intervalstyle = 'postgres'");
        }
        MigrationVersion schema = DatabaseTables.schemaVersion(connection);
        if (schema == null) {
            throw new BackupException("The database holds no Trackstack data (Flyway's schema history is missing): "
                    + "nothing to back up.");
        }
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        // Its owner's only, like the data directory: it holds token hashes and the download links' signing key.
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(partial))) {
            // Fastest deflate: COPY's text shrinks 3 to 5 times even so, and the backup stays quick.
            zip.setLevel(Deflater.BEST_SPEED);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            OutputStream entry = new FilterOutputStream(zip) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                }

                @Override
                public void close() {
                    // Entries end with closeEntry, the zip with its own close.
                }
            };
            List<BackupManifest.Table> tables = new ArrayList<>();
            for (Map.Entry<String, List<String>> table : DatabaseTables.list(connection).entrySet()) {
                zip.putNextEntry(new ZipEntry(BackupManifest.TABLES + table.getKey()));
                long rows = copy.copyOut("copy (select " + DatabaseTables.columnList(table.getValue()) + " from "
                        + DatabaseTables.quote(table.getKey()) + ") to stdout", entry);
                zip.closeEntry();
                tables.add(new BackupManifest.Table(table.getKey(), table.getValue(), rows));
            }
            long blobCount = blobs == null ? 0 : writeBlobs(connection, blobs, zip, entry, warnings);
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, BackupManifest.FORMAT_VERSION,
                    ServerVersion.ofThisBuild(), schema.getVersion(), value(connection, "show server_version"),
                    value(connection, "select mode from storage_mode"), Instant.now().toString(), tables, blobCount);
            connection.commit();
            zip.putNextEntry(new ZipEntry(BackupManifest.ENTRY));
            JSON.writerWithDefaultPrettyPrinter().writeValue(entry, manifest);
            zip.closeEntry();
            zip.finish();
            zip.close();
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return manifest;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * The files of the blobs in the snapshot. A blob is immutable once stored; one deleted since the snapshot (its
     * version deleted meanwhile) is missing and said so.
     */
    private static long writeBlobs(Connection connection, BlobStore blobs, ZipOutputStream zip, OutputStream entry,
            List<String> warnings) throws SQLException, IOException {
        long count = 0;
        try (Statement statement = connection.createStatement()) {
            statement.setFetchSize(1000);
            try (ResultSet rows = statement.executeQuery("select sha256 from blob order by sha256")) {
                while (rows.next()) {
                    String sha256 = rows.getString(1);
                    InputStream in;
                    try {
                        in = blobs.open(sha256, 0, -1);
                    } catch (NoSuchFileException deleted) {
                        warnings.add("The artifact file " + sha256 + " was deleted while the backup ran; it is not "
                                + "in the backup.");
                        continue;
                    }
                    try (in) {
                        zip.putNextEntry(new ZipEntry(BackupManifest.BLOBS + sha256));
                        in.transferTo(entry);
                        zip.closeEntry();
                    }
                    count++;
                }
            }
        }
        return count;
    }

    private static String value(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(query)) {
            row.next();
            return row.getString(1);
        }
    }
}
