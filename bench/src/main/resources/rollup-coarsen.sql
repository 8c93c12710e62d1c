-- Seeding only: builds rollup level {coarse} of the series matching {where} (on p) from level {fine}. Each level
-- is 8 times the one below, so a coarse bucket is exactly the fine buckets inside it, and folding those gives the
-- rows that folding the points with the server's statement gives, at a fraction of the work.
insert into metric_rollup (series_id, level, bucket, n, first_step, last_step, last_ts, last_value, min_value, max_value)
select p.series_id, {coarse}, p.bucket / {coarse} * {coarse}, sum(p.n), min(p.first_step), max(p.last_step),
       (array_agg(p.last_ts order by p.last_step desc))[1], (array_agg(p.last_value order by p.last_step desc))[1],
       min(p.min_value), max(p.max_value)
from metric_rollup p
where p.level = {fine} and {where}
group by 1, 2, 3
