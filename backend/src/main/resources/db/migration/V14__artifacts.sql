-- Artifacts (dev.trackstack.artifact): named per project, numbered versions that are sets of files, each file a
-- blob stored once by its SHA-256 whatever the number of versions holding it (docs/api.md, "Artifacts").

create table artifact (
    id          bigint generated always as identity primary key,
    project_id  bigint      not null references project (id) on delete cascade,
    name        text        not null,
    type        text        not null,
    description text,
    created_at  timestamptz not null default now(),
    unique (project_id, name)
);
-- The list's search by name prefix.
create index artifact_name_prefix on artifact (project_id, name text_pattern_ops);

create table artifact_version (
    id         bigint generated always as identity primary key,
    artifact_id bigint     not null references artifact (id) on delete cascade,
    version    int         not null check (version > 0),
    -- SHA-256 of the manifest: logging the same files again finds this version.
    digest     text        not null,
    size       bigint      not null,
    file_count int         not null,
    metadata   jsonb       not null,
    -- The run that logged it. Deleting a run deletes its versions first (RunDeletion); set null is the net for a
    -- run removed some other way.
    run_id     bigint      references run (id) on delete set null,
    created_at timestamptz not null default now(),
    unique (artifact_id, version),
    unique (artifact_id, digest)
);
create index artifact_version_run on artifact_version (run_id) where run_id is not null;

create table artifact_file (
    version_id bigint not null references artifact_version (id) on delete cascade,
    path       text   not null,
    size       bigint not null,
    sha256     text   not null,
    primary key (version_id, path)
);
-- Whether anything still holds a blob (collection), and which project's versions hold it (downloads).
create index artifact_file_sha256 on artifact_file (sha256);

-- Aliases other than `latest`, which is always the highest version and is not stored.
create table artifact_alias (
    artifact_id bigint not null references artifact (id) on delete cascade,
    alias       text   not null,
    version_id  bigint not null references artifact_version (id) on delete cascade,
    primary key (artifact_id, alias)
);
create index artifact_alias_version on artifact_alias (version_id);

-- Lineage: the runs that used a version.
create table artifact_usage (
    run_id     bigint      not null references run (id) on delete cascade,
    version_id bigint      not null references artifact_version (id) on delete cascade,
    used_at    timestamptz not null default now(),
    primary key (run_id, version_id)
);
create index artifact_usage_version on artifact_usage (version_id);

-- The blobs in the store. claimed_at is when it was last uploaded or announced to a new upload: the collector
-- spares an unreferenced blob claimed within trackstack.artifacts.upload-timeout, as its commit may be coming.
create table blob (
    sha256     text        primary key,
    size       bigint      not null,
    claimed_at timestamptz not null default now()
);
create index blob_claimed_at on blob (claimed_at);

-- Unfinished uploads; their bytes are the file uploads/<id> in the artifacts directory.
create table upload (
    id         uuid        primary key,
    project_id bigint      not null references project (id) on delete cascade,
    sha256     text        not null,
    size       bigint      not null,
    "offset"   bigint      not null default 0,
    updated_at timestamptz not null default now(),
    unique (project_id, sha256)
);
create index upload_updated_at on upload (updated_at);

-- The HMAC key of signed download links, made on first use and shared by every instance on this database.
create table artifact_signing_key (
    id  int   primary key check (id = 1),
    key bytea not null
);
