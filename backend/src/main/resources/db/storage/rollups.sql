-- Step-bucketed levels of every series, kept current by ingest in the points' own transaction, so that a
-- chart over millions of points reads a few thousand rows. Level = bucket width in steps (8, 64, 512, …);
-- bucket = its first step. min and max count finite values only; the representative is the last point.
create table metric_rollup (
    series_id  bigint           not null,
    level      int              not null,
    bucket     bigint           not null,
    n          bigint           not null,
    first_step bigint           not null,
    last_step  bigint           not null,
    last_ts    timestamptz      not null,
    last_value double precision not null,
    min_value  double precision,
    max_value  double precision,
    primary key (series_id, level, bucket)
);
