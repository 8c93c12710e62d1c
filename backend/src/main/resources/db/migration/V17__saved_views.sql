-- Saved views of the dashboard per project (graphql/view.graphqls).
create table saved_view (
    project_id bigint not null references project (id) on delete cascade,
    name text not null,
    state jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    updated_by text not null,
    primary key (project_id, name)
);
