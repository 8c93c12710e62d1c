-- Points in a hypertable on time (1-day chunks). Its unique index must contain the partitioning column, so
-- (series_id, step) alone can no longer be unique: ingest keeps steps unique itself, under a lock on the
-- series. No default indexes: the one below serves both ingest and reads by step.
create extension if not exists timescaledb;
alter table metric_point drop constraint metric_point_pkey;
select create_hypertable('metric_point', by_range('ts', interval '1 day'), create_default_indexes => false);
create unique index metric_point_key on metric_point (series_id, step, ts);
