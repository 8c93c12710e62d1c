-- Metadata: projects → models → runs, and one row per metric series holding its summary.
create table project (
    id         bigint generated always as identity primary key,
    name       text        not null unique,
    created_at timestamptz not null default now()
);

create table model (
    id         bigint generated always as identity primary key,
    project_id bigint      not null references project (id) on delete cascade,
    name       text        not null,
    created_at timestamptz not null default now(),
    unique (project_id, name)
);

create table run (
    id              bigint generated always as identity primary key,
    model_id        bigint      not null references model (id) on delete cascade,
    name            text,
    status          text        not null default 'RUNNING' check (status in ('RUNNING', 'COMPLETED', 'FAILED')),
    hyperparameters jsonb       not null default '{}' check (jsonb_typeof(hyperparameters) = 'object'),
    tags            text[]      not null default '{}',
    notes           text,
    created_at      timestamptz not null default now(),
    finished_at     timestamptz
);
create index run_model_created on run (model_id, created_at desc, id desc);
create index run_created on run (created_at desc, id desc);
create index run_hyperparameters on run using gin (hyperparameters jsonb_path_ops);
create index run_tags on run using gin (tags);

-- Summaries are kept current by ingest; min and max count finite values only.
create table metric_series (
    id          bigint generated always as identity primary key,
    run_id      bigint not null references run (id) on delete cascade,
    name        text   not null,
    split       text,
    point_count bigint not null default 0,
    first_step  bigint,
    last_step   bigint,
    last_value  double precision,
    min_step    bigint,
    min_value   double precision,
    max_step    bigint,
    max_value   double precision
);
-- A null split is one series, not many: hence the expression.
create unique index metric_series_key on metric_series (run_id, name, coalesce(split, ''));
create index metric_series_name on metric_series (name, coalesce(split, ''));

-- Points are bulk data written with array inserts: no foreign key (deletes go through metric_series),
-- and one key that makes ingest idempotent and serves reads by step.
create table metric_point (
    series_id bigint           not null,
    step      bigint           not null,
    ts        timestamptz      not null,
    value     double precision not null,
    primary key (series_id, step)
);

-- Batch ids already applied, so that a retried logMetrics call changes nothing.
create table ingest_batch (
    run_id     bigint      not null references run (id) on delete cascade,
    batch_id   text        not null,
    created_at timestamptz not null default now(),
    primary key (run_id, batch_id)
);
