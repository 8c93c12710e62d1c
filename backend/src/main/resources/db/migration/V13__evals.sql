-- LLM evals (dev.trackstack.eval, graphql/eval.graphqls). An eval run is a run of kind EVAL with a row in eval_run.
alter table run add column kind text not null default 'TRAINING' check (kind in ('TRAINING', 'EVAL'));

create table eval_dataset (
    id         bigint generated always as identity primary key,
    project_id bigint      not null references project (id) on delete cascade,
    name       text        not null,
    created_at timestamptz not null default now(),
    unique (project_id, name)
);

-- Items are addressed by content within a project: content_hash is the hex SHA-256 of their canonical JSON,
-- which is also their API id. They are never changed; versions list them.
create table eval_item (
    id              bigint generated always as identity primary key,
    project_id      bigint      not null references project (id) on delete cascade,
    content_hash    text        not null,
    input           jsonb       not null,
    expected        jsonb,
    metadata        jsonb,
    source_trace_id bytea,
    source_span_id  bytea,
    created_at      timestamptz not null default now(),
    unique (project_id, content_hash)
);

-- Immutable: a change to a dataset makes a new version with all its items listed again.
create table eval_dataset_version (
    id            bigint generated always as identity primary key,
    dataset_id    bigint      not null references eval_dataset (id) on delete cascade,
    version       int         not null,
    description   text,
    item_count    int         not null,
    added_count   int         not null,
    removed_count int         not null,
    created_at    timestamptz not null default now(),
    unique (dataset_id, version)
);

create table eval_dataset_version_item (
    version_id bigint not null references eval_dataset_version (id) on delete cascade,
    item_id    bigint not null references eval_item (id) on delete cascade,
    position   int    not null,
    primary key (version_id, item_id)
);
create unique index eval_dataset_version_item_position on eval_dataset_version_item (version_id, position);

-- The eval side of an EVAL run. aggregates is what logEvalResults / logScores last computed (EvalAggregates);
-- revision numbers those computations: the step of the summary points they write.
create table eval_run (
    run_id             bigint primary key references run (id) on delete cascade,
    dataset_version_id bigint not null references eval_dataset_version (id) on delete cascade,
    prompt_name        text,
    prompt_version     int,
    settings           jsonb  not null default '{}',
    repetitions        int    not null check (repetitions > 0),
    revision           bigint not null default 0,
    aggregates         jsonb  not null default '{"items": 0, "errored": 0, "scores": []}'
);
create index eval_run_dataset_version on eval_run (dataset_version_id);

create table score_config (
    project_id       bigint           not null references project (id) on delete cascade,
    name             text             not null,
    type             text             not null check (type in ('NUMERIC', 'BOOLEAN', 'CATEGORICAL')),
    min_value        double precision,
    max_value        double precision,
    categories       text[],
    pass_categories  text[],
    higher_is_better boolean          not null,
    pass_threshold   double precision,
    inferred         boolean          not null,
    updated_at       timestamptz      not null default now(),
    primary key (project_id, name)
);

-- One result per (run, item, repetition): a retry replaces it. position is the item's place in the run's dataset
-- version, kept here so that pages in that order come from this table's index alone.
create table eval_result (
    run_id        bigint           not null references run (id) on delete cascade,
    item_id       bigint           not null references eval_item (id) on delete cascade,
    repetition    int              not null,
    position      int              not null,
    output        jsonb,
    error         text,
    latency_ms    double precision,
    cost          double precision,
    input_tokens  bigint,
    output_tokens bigint,
    trace_id      bytea,
    span_id       bytea,
    updated_at    timestamptz      not null default now(),
    primary key (run_id, item_id, repetition)
);
create index eval_result_order on eval_result (run_id, position, repetition);
-- Span.evalScores: the results that link to a trace.
create index eval_result_trace on eval_result (trace_id) where trace_id is not null;

-- Scores of a run's results, one per (item, repetition, name, source); rank orders the sources (HUMAN 3,
-- LLM_JUDGE 2, CODE 1): the highest is the one that counts in aggregates and comparisons, marked effective by ingest
-- (which writes a run's scores one call at a time) so that reads need not rank them. value holds numbers and
-- booleans (1 / 0). Whether a score passes is judged when read, by its name's current score_config. No foreign key
-- to eval_result: a score may come before its result.
create table eval_score (
    run_id      bigint           not null references run (id) on delete cascade,
    name        text             not null,
    item_id     bigint           not null,
    repetition  int              not null,
    source      text             not null check (source in ('CODE', 'LLM_JUDGE', 'HUMAN')),
    rank        smallint         not null,
    type        text             not null check (type in ('NUMERIC', 'BOOLEAN', 'CATEGORICAL')),
    value       double precision,
    category    text,
    explanation text,
    effective   boolean          not null,
    updated_at  timestamptz      not null default now(),
    primary key (run_id, name, item_id, repetition, source)
);
create index eval_score_effective on eval_score (run_id, name, item_id, repetition) include (value, category)
    where effective;
create index eval_score_result on eval_score (run_id, item_id, repetition);
