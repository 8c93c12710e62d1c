-- A series' first step was kept current by ingest and never read: charts find a range's first point in the points.
alter table metric_series drop column first_step;
