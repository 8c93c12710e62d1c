-- Spans received over OTLP (dev.trackstack.trace). What OpenTelemetry sent is kept whole (attributes, events,
-- links, resource); the fields that lists filter and sort on are lifted into columns by SpanMapping, whose
-- version is kept per span so that spans stored under older rules can be mapped again.
create table span (
    project_id      bigint      not null references project (id) on delete cascade,
    trace_id        bytea       not null,
    span_id         bytea       not null,
    parent_span_id  bytea,
    run_id          bigint      references run (id) on delete set null,
    name            text        not null,
    kind            text        not null,
    start_time      timestamptz not null,
    end_time        timestamptz not null,
    duration_ns     bigint      not null check (duration_ns >= 0),
    status          text        not null check (status in ('UNSET', 'OK', 'ERROR')),
    status_message  text,
    service_name    text,
    scope_name      text,
    scope_version   text,
    span_type       text        not null
                    check (span_type in ('LLM', 'TOOL', 'AGENT', 'RETRIEVER', 'EMBEDDING', 'CHAIN', 'SPAN')),
    operation       text,
    provider        text,
    model           text,
    input_tokens    bigint,
    output_tokens   bigint,
    cost            numeric,
    session_id      text,
    attributes      jsonb       not null,
    events          jsonb       not null,
    links           jsonb       not null,
    resource        jsonb       not null,
    mapping_version smallint    not null,
    -- An exporter's retry sends the same spans again: this key makes storing them a no-op.
    primary key (project_id, trace_id, span_id)
);
create index span_project_start on span (project_id, start_time desc);
create index span_run on span (run_id, start_time desc) where run_id is not null;

-- On TimescaleDB, a hypertable on start time (1-day chunks): its unique index must hold the partitioning column,
-- and a retried span carries its start time again, so the key stays a key for retries.
do $$
begin
    if exists (select from storage_mode where mode <> 'POSTGRESQL') then
        alter table span drop constraint span_pkey;
        perform create_hypertable('span', by_range('start_time', interval '1 day'), create_default_indexes => false);
        create unique index span_key on span (project_id, trace_id, span_id, start_time);
    end if;
end
$$;
