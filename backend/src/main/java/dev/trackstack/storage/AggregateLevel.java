package dev.trackstack.storage;

/**
 * The levels of continuous aggregates on TimescaleDB, finest first: each a view of time buckets per series,
 * built from the level below (the finest from the points). At most 10 buckets of a level make one of the next.
 */
public enum AggregateLevel {

    SECOND("1s", "1 second", 1),
    TEN_SECONDS("10s", "10 seconds", 10),
    MINUTE("1m", "1 minute", 60),
    TEN_MINUTES("10m", "10 minutes", 600),
    HOUR("1h", "1 hour", 3600),
    DAY("1d", "1 day", 86400);

    private final String label;
    private final String interval;
    private final long seconds;

    AggregateLevel(String label, String interval, long seconds) {
        this.label = label;
        this.interval = interval;
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

    /** The view's definition: min, max and count add up; the representative is the last point by step. */
    String createView() {
        boolean finest = ordinal() == 0;
        String bucket = "time_bucket(interval '" + interval + "', " + (finest ? "ts" : "bucket") + ")";
        String columns = finest ? """
                count(*) as n, min(step) as first_step, max(step) as last_step,
                last(ts, step) as last_ts, last(value, step) as last_value,
                min(case when value not in ('NaN', 'Infinity', '-Infinity') then value end) as min_value,
                max(case when value not in ('NaN', 'Infinity', '-Infinity') then value end) as max_value
                from metric_point""" : """
                sum(n) as n, min(first_step) as first_step, max(last_step) as last_step,
                last(last_ts, last_step) as last_ts, last(last_value, last_step) as last_value,
                min(min_value) as min_value, max(max_value) as max_value
                from\s""" + values()[ordinal() - 1].view();
        return "create materialized view " + view()
                + " with (timescaledb.continuous, timescaledb.materialized_only = false) as\n"
                + "select series_id, " + bucket + " as bucket,\n" + columns + "\n"
                + "group by series_id, " + bucket + "\nwith no data";
    }

    /**
     * Refreshes everything invalidated (start_offset null: late and deleted points too) up to the last whole
     * bucket; real-time aggregation answers the rest from the level below.
     */
    String addPolicy() {
        long every = Math.max(60, seconds);
        return "select add_continuous_aggregate_policy('" + view() + "', start_offset => null, end_offset => interval '"
                + interval + "', schedule_interval => interval '" + every + " seconds')";
    }
}
