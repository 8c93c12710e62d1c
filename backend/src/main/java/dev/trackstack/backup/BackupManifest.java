package dev.trackstack.backup;

import java.util.List;

/**
 * manifest.json of a backup file: what wrote it and what it holds. The file is a zip of {@code tables/<table>}
 * (each table in PostgreSQL's COPY text format, the columns in the manifest's order), {@code blobs/<sha256>} (the
 * artifact files of the local store) and this manifest, written last.
 *
 * @param format            always {@value #FORMAT}
 * @param formatVersion     the layout of the file; a reader refuses a newer one
 * @param trackstackVersion the Trackstack that wrote it
 * @param schemaVersion     the Flyway schema version of the database it holds
 * @param postgresVersion   the PostgreSQL it was read from
 * @param storageMode       how that database stored points (restore uses the target's own mode)
 * @param createdAt         when its snapshot was taken
 * @param tables            the tables, rows counted as written
 * @param blobs             artifact files included, or 0 with the S3 store (not included)
 */
record BackupManifest(String format, int formatVersion, String trackstackVersion, String schemaVersion,
        String postgresVersion, String storageMode, String createdAt, List<Table> tables, long blobs) {

    static final String FORMAT = "trackstack-backup";
    static final int FORMAT_VERSION = 1;
    static final String ENTRY = "manifest.json";
    static final String TABLES = "tables/";
    static final String BLOBS = "blobs/";

    record Table(String name, List<String> columns, long rows) {
    }
}
