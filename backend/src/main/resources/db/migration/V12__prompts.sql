-- The prompt registry (dev.trackstack.prompt): prompts per project by name, their immutable numbered versions,
-- labels that point at a version and move, and the append-only history of every label move.

-- MAINTAIN: WRITE, plus moving protected prompt labels and setting which labels are protected.
alter table api_token drop constraint api_token_scope_check;
alter table api_token add constraint api_token_scope_check check (scope in ('READ', 'WRITE', 'MAINTAIN'));

-- The labels of the project's prompts that only a MAINTAIN token (or the admin) may move.
alter table project add column protected_prompt_labels text[] not null default '{production}';

create table prompt (
    id         bigint generated always as identity primary key,
    project_id bigint      not null references project (id) on delete cascade,
    name       text        not null,
    -- Fixed when the prompt is made: every version is text, or every version is chat messages.
    type       text        not null check (type in ('TEXT', 'CHAT')),
    created_at timestamptz not null default now(),
    unique (project_id, name)
);
-- The list's search by name prefix (folders are prefixes: "support/").
create index prompt_name_prefix on prompt (project_id, name text_pattern_ops);

create table prompt_version (
    prompt_id      bigint      not null references prompt (id) on delete cascade,
    version        int         not null check (version > 0),
    -- A JSON string for TEXT, an array of {role, content} for CHAT.
    template       jsonb       not null,
    variables      text[]      not null,
    config         jsonb       not null,
    commit_message text,
    -- SHA-256 of the canonical JSON of template and config: saving the same content again finds this version.
    content_sha256 bytea       not null,
    created_by     text        not null,
    created_at     timestamptz not null default now(),
    primary key (prompt_id, version),
    unique (prompt_id, content_sha256)
);

-- A version, once saved, never changes (it goes only with its prompt or project).
create function refuse_update() returns trigger language plpgsql as $$
begin
    raise exception 'rows of % are immutable', tg_table_name;
end
$$;
create trigger prompt_version_immutable before update on prompt_version
    for each row execute function refuse_update();

-- "latest" is no row: it is computed, the highest version.
create table prompt_label (
    prompt_id  bigint      not null,
    label      text        not null,
    version    int         not null,
    updated_by text        not null,
    updated_at timestamptz not null default now(),
    primary key (prompt_id, label),
    foreign key (prompt_id, version) references prompt_version (prompt_id, version) on delete cascade
);

-- Append-only: every move, creation (from_version null) and deletion (to_version null) of a label.
create table prompt_label_event (
    id           bigint generated always as identity primary key,
    prompt_id    bigint      not null references prompt (id) on delete cascade,
    label        text        not null,
    from_version int,
    to_version   int,
    actor        text        not null,
    at           timestamptz not null default now()
);
create index prompt_label_event_prompt on prompt_label_event (prompt_id, id desc);
create trigger prompt_label_event_append_only before update on prompt_label_event
    for each row execute function refuse_update();

-- The prompt version a traced LLM call used (SpanMapping), for the version's usage and its list of calls.
alter table span add column prompt_name text, add column prompt_version int;
create index span_prompt on span (project_id, prompt_name, prompt_version, start_time desc)
    where prompt_name is not null;
