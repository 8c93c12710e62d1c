-- Older chunks are compressed per series; StoragePolicies adds the policy (trackstack.storage.compress-after).
alter table metric_point set (timescaledb.compress, timescaledb.compress_segmentby = 'series_id',
                              timescaledb.compress_orderby = 'step, ts');
