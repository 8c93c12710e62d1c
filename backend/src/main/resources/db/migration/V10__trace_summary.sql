-- One row per trace (dev.trackstack.trace.TraceSummaries): its root span's fields and aggregates over its spans,
-- recomputed from the spans in the transaction that stores them, so that lists filter, sort and count traces
-- without grouping spans. A plain table also on TimescaleDB.
create table trace_summary (
    project_id    bigint      not null references project (id) on delete cascade,
    trace_id      bytea       not null,
    -- The root span: the span without a parent, else the earliest.
    root_span_id  bytea       not null,
    run_id        bigint      references run (id) on delete set null,
    name          text        not null,
    span_type     text        not null,
    operation     text,
    provider      text,
    model         text,
    -- The root span's session, else the least of its spans'.
    session_id    text,
    service_name  text,
    -- ERROR when any span failed, else the root span's status.
    status        text        not null,
    span_count    int         not null,
    error_count   int         not null,
    input_tokens  bigint,
    output_tokens bigint,
    total_tokens  bigint,
    cost          numeric,
    start_time    timestamptz not null,
    end_time      timestamptz not null,
    duration_ns   bigint      not null,
    -- What the filters on "any span" look for: the distinct values over all spans.
    models        text[]      not null,
    span_types    text[]      not null,
    session_ids   text[]      not null,
    -- Its spans' distinct names, one a line, for the case-insensitive substring filter.
    span_names    text        not null,
    primary key (project_id, trace_id)
);
create index trace_summary_trace on trace_summary (trace_id);
-- The list's default order and the sort by duration read a page by these; other sorts take a top-N sort.
create index trace_summary_project_start on trace_summary (project_id, start_time desc);
create index trace_summary_project_duration on trace_summary (project_id, duration_ns desc);
create index trace_summary_models on trace_summary using gin (models);
create index trace_summary_session_ids on trace_summary using gin (session_ids);
create index trace_summary_session on trace_summary (project_id, session_id) where session_id is not null;
create index trace_summary_run on trace_summary (run_id) where run_id is not null;
-- For retention, which finds the traces that lose spans by their start.
create index trace_summary_start on trace_summary (start_time);

-- llmUsage reads the LLM calls of a project and a time range, a few of its spans.
create index span_llm on span (project_id, start_time) where model is not null;

-- The traces stored so far, as TraceSummaries computes them.
insert into trace_summary (project_id, trace_id, root_span_id, run_id, name, span_type, operation, provider, model,
    session_id, service_name, status, span_count, error_count, input_tokens, output_tokens, total_tokens, cost,
    start_time, end_time, duration_ns, models, span_types, session_ids, span_names)
select r.project_id, r.trace_id, r.span_id, r.run_id, r.name, r.span_type, r.operation, r.provider, r.model,
       coalesce(r.session_id, a.session_ids[1]), r.service_name,
       case when a.error_count > 0 then 'ERROR' else r.status end, a.span_count, a.error_count, a.input_tokens,
       a.output_tokens, a.total_tokens, a.cost, a.start_time, a.end_time, a.duration_ns, a.models, a.span_types,
       a.session_ids, a.span_names
from (
    select distinct on (s.project_id, s.trace_id) s.*
    from span s
    order by s.project_id, s.trace_id, s.parent_span_id is not null, s.start_time, s.span_id
) r join (
    select s.project_id, s.trace_id, count(*)::int as span_count,
           (count(*) filter (where s.status = 'ERROR'))::int as error_count,
           sum(s.input_tokens)::bigint as input_tokens, sum(s.output_tokens)::bigint as output_tokens,
           sum(coalesce(s.input_tokens, 0) + coalesce(s.output_tokens, 0))
               filter (where s.input_tokens is not null or s.output_tokens is not null)::bigint as total_tokens,
           sum(s.cost) as cost, min(s.start_time) as start_time, max(s.end_time) as end_time,
           max((extract(epoch from s.start_time) * 1000000)::bigint * 1000 + s.duration_ns)
               - min((extract(epoch from s.start_time) * 1000000)::bigint * 1000) as duration_ns,
           coalesce(array_agg(distinct s.model) filter (where s.model is not null), '{}') as models,
           array_agg(distinct s.span_type) as span_types,
           coalesce(array_agg(distinct s.session_id) filter (where s.session_id is not null), '{}') as session_ids,
           string_agg(distinct s.name, E'\n') as span_names
    from span s
    group by s.project_id, s.trace_id
) a on a.project_id = r.project_id and a.trace_id = r.trace_id;
