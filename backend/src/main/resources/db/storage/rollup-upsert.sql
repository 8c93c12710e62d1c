-- Folds the rows p(series_id, step, ts, value) of the FROM clause (filled in by the caller) into every level
-- in l(level). Counts add up, so the rows must not be in the rollups yet. Ingest runs it on the points it inserted (and the bench,
-- which reads it from the jar, on the points it seeds).
insert into metric_rollup as r
    (series_id, level, bucket, n, first_step, last_step, last_ts, last_value, min_value, max_value)
select p.series_id, l.level, p.step / l.level * l.level, count(*), min(p.step), max(p.step),
       (array_agg(p.ts order by p.step desc))[1], (array_agg(p.value order by p.step desc))[1],
       min(p.value) filter (where p.value not in ('NaN', 'Infinity', '-Infinity')),
       max(p.value) filter (where p.value not in ('NaN', 'Infinity', '-Infinity'))
from %s
group by 1, 2, 3
on conflict (series_id, level, bucket) do update set
    n = r.n + excluded.n,
    first_step = least(r.first_step, excluded.first_step),
    last_step = greatest(r.last_step, excluded.last_step),
    last_ts = case when excluded.last_step > r.last_step then excluded.last_ts else r.last_ts end,
    last_value = case when excluded.last_step > r.last_step then excluded.last_value else r.last_value end,
    min_value = least(r.min_value, excluded.min_value),
    max_value = greatest(r.max_value, excluded.max_value)
