-- API tokens. Only a SHA-256 hash of each secret is kept: the secret is shown once, when the token is made.
create table api_token (
    id          bigint generated always as identity primary key,
    name        text        not null,
    scope       text        not null check (scope in ('READ', 'WRITE')),
    -- The names of the projects the token may see and change; null for every project.
    projects    text[],
    secret_hash bytea       not null unique,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);
