package dev.trackstack.storage;

/** What the database could do when the points' schema was created; each mode gets the best storage it supports. */
public enum StorageMode {

    /** Plain PostgreSQL (the embedded default): a points table and step rollups kept current at ingest. */
    POSTGRESQL,

    /** TimescaleDB without its community features (Debian's build): a hypertable and step rollups at ingest. */
    TIMESCALEDB_APACHE,

    /** TimescaleDB with community features: a compressed hypertable and hierarchical continuous aggregates. */
    TIMESCALEDB;

    /** Whether downsampled levels are kept by ingest (rather than by continuous aggregates). */
    public boolean rollupsAtIngest() {
        return this != TIMESCALEDB;
    }

    public boolean hypertable() {
        return this != POSTGRESQL;
    }
}
