package dev.trackstack.storage;

/**
 * The levels of continuous aggregates on TimescaleDB, finest first: each a view of time buckets per series,
 * built from the level below (the finest from the points). At most 10 buckets of a level make one of the next.
 * The views and their refresh policies are db/timescaledb/R__continuous_aggregates.sql.
 */
public enum AggregateLevel {

    SECOND("1s", 1),
    TEN_SECONDS("10s", 10),
    MINUTE("1m", 60),
    TEN_MINUTES("10m", 600),
    HOUR("1h", 3600),
    DAY("1d", 86400);

    private final String label;
    private final long seconds;

    AggregateLevel(String label, long seconds) {
        this.label = label;
        this.seconds = seconds;
    }

    public String label() {
        return label;
    }

    public String view() {
        return "metric_agg_" + label;
    }

    public long seconds() {
        return seconds;
    }
}
