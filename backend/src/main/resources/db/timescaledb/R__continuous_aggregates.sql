-- The levels of continuous aggregates (AggregateLevel), finest first: time buckets per series, each level built
-- from the one below (the finest from the points). min, max and count add up; the representative is the last
-- point by step. Created WITH NO DATA (WITH DATA cannot run in a transaction); each level's policy refreshes
-- everything invalidated (start_offset null: late and deleted points too) up to the last whole bucket, and
-- real-time aggregation (materialized_only = false) answers the rest from the level below.
--
-- Databases made by earlier versions got these same levels from the V3 migration, so they are created only where
-- none exist. A continuous aggregate cannot be replaced in place: changing a level takes a versioned migration
-- that drops and recreates it.
do $$
begin
    if exists (select from timescaledb_information.continuous_aggregates where view_name = 'metric_agg_1s') then
        return;
    end if;

    create materialized view metric_agg_1s with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select series_id, time_bucket(interval '1 second', ts) as bucket,
           count(*) as n, min(step) as first_step, max(step) as last_step,
           last(ts, step) as last_ts, last(value, step) as last_value,
           min(case when value not in ('NaN', 'Infinity', '-Infinity') then value end) as min_value,
           max(case when value not in ('NaN', 'Infinity', '-Infinity') then value end) as max_value
    from metric_point
    group by series_id, time_bucket(interval '1 second', ts)
    with no data;
    perform add_continuous_aggregate_policy('metric_agg_1s', start_offset => null,
                                            end_offset => interval '1 second', schedule_interval => interval '60 seconds');

    create materialized view metric_agg_10s with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select series_id, time_bucket(interval '10 seconds', bucket) as bucket,
           sum(n) as n, min(first_step) as first_step, max(last_step) as last_step,
           last(last_ts, last_step) as last_ts, last(last_value, last_step) as last_value,
           min(min_value) as min_value, max(max_value) as max_value
    from metric_agg_1s
    group by series_id, time_bucket(interval '10 seconds', bucket)
    with no data;
    perform add_continuous_aggregate_policy('metric_agg_10s', start_offset => null,
                                            end_offset => interval '10 seconds', schedule_interval => interval '60 seconds');

    create materialized view metric_agg_1m with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select series_id, time_bucket(interval '1 minute', bucket) as bucket,
           sum(n) as n, min(first_step) as first_step, max(last_step) as last_step,
           last(last_ts, last_step) as last_ts, last(last_value, last_step) as last_value,
           min(min_value) as min_value, max(max_value) as max_value
    from metric_agg_10s
    group by series_id, time_bucket(interval '1 minute', bucket)
    with no data;
    perform add_continuous_aggregate_policy('metric_agg_1m', start_offset => null,
                                            end_offset => interval '1 minute', schedule_interval => interval '60 seconds');

    create materialized view metric_agg_10m with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select series_id, time_bucket(interval '10 minutes', bucket) as bucket,
           sum(n) as n, min(first_step) as first_step, max(last_step) as last_step,
           last(last_ts, last_step) as last_ts, last(last_value, last_step) as last_value,
           min(min_value) as min_value, max(max_value) as max_value
    from metric_agg_1m
    group by series_id, time_bucket(interval '10 minutes', bucket)
    with no data;
    perform add_continuous_aggregate_policy('metric_agg_10m', start_offset => null,
                                            end_offset => interval '10 minutes', schedule_interval => interval '600 seconds');

    create materialized view metric_agg_1h with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select series_id, time_bucket(interval '1 hour', bucket) as bucket,
           sum(n) as n, min(first_step) as first_step, max(last_step) as last_step,
           last(last_ts, last_step) as last_ts, last(last_value, last_step) as last_value,
           min(min_value) as min_value, max(max_value) as max_value
    from metric_agg_10m
    group by series_id, time_bucket(interval '1 hour', bucket)
    with no data;
    perform add_continuous_aggregate_policy('metric_agg_1h', start_offset => null,
                                            end_offset => interval '1 hour', schedule_interval => interval '3600 seconds');

    create materialized view metric_agg_1d with (timescaledb.continuous, timescaledb.materialized_only = false) as
    select series_id, time_bucket(interval '1 day', bucket) as bucket,
           sum(n) as n, min(first_step) as first_step, max(last_step) as last_step,
           last(last_ts, last_step) as last_ts, last(last_value, last_step) as last_value,
           min(min_value) as min_value, max(max_value) as max_value
    from metric_agg_1h
    group by series_id, time_bucket(interval '1 day', bucket)
    with no data;
    perform add_continuous_aggregate_policy('metric_agg_1d', start_offset => null,
                                            end_offset => interval '1 day', schedule_interval => interval '86400 seconds');
end
$$;

-- Since TimescaleDB 2.21 a policy refreshes in batches, each committed, newest first by default: a read in between
-- would find a series' materialized buckets on both sides of a part not yet materialized, which AggregatePointStore
-- cannot tell from no points. Oldest first, what is materialized of a series stays one run of its steps.
do $$
begin
    if exists (select from pg_proc where proname = 'add_continuous_aggregate_policy'
               and 'refresh_newest_first' = any(proargnames)) then
        perform alter_job(job_id, config => config || '{"refresh_newest_first": false}')
        from timescaledb_information.jobs where proc_name = 'policy_refresh_continuous_aggregate';
    end if;
end
$$;
