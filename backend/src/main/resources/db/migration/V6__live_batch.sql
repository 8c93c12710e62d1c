-- The series and step ranges one committed logMetrics call wrote, for the other instances to read back. A NOTIFY
-- payload is limited to 8000 bytes, so the notification names a row here rather than carrying the ranges, which
-- grow with the batch's series. Unlogged: a row is read within seconds of its commit and deleted after a minute;
-- a crash that empties the table loses nothing but live delivery of the batches just logged.
create unlogged table live_batch (
    id          bigint generated always as identity primary key,
    series_ids  bigint[]    not null,
    first_steps bigint[]    not null,
    last_steps  bigint[]    not null,
    created_at  timestamptz not null default now()
);
