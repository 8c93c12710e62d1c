-- Imports of runs from other trackers (graphql/import.graphqls). A run made by an import keeps its key in the
-- source, so that importing the source again finds it instead of making another.
alter table run add column import_key text;
create unique index run_import_key on run (model_id, import_key) where import_key is not null;

create table import_job (
    id bigint generated always as identity primary key,
    format text not null,
    source text not null,
    state text not null,
    runs_read int not null default 0,
    runs_created int not null default 0,
    points_stored bigint not null default 0,
    points_duplicate bigint not null default 0,
    unmapped text[] not null default '{}',
    error text,
    started_at timestamptz not null default now(),
    finished_at timestamptz
);

create table import_job_run (
    job_id bigint not null references import_job on delete cascade,
    position int not null,
    run_id bigint not null references run on delete cascade,
    primary key (job_id, run_id)
);
