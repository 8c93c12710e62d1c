-- A run's console output, one row per line. The client numbers the lines of a run (both streams in one
-- sequence), so a batch sent twice stores nothing twice.
create table console_line (
    run_id bigint      not null references run (id) on delete cascade,
    line   bigint      not null check (line >= 0),
    stream text        not null check (stream in ('STDOUT', 'STDERR')),
    ts     timestamptz not null,
    text   text        not null,
    primary key (run_id, line)
);

-- The hardware and software a run ran on, as the client found it at start.
create table run_environment (
    run_id      bigint primary key references run (id) on delete cascade,
    environment jsonb  not null check (jsonb_typeof(environment) = 'object')
);
