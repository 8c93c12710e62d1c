-- Rich media per step (dev.trackstack.media, docs/api.md "Media"): images, histograms, tables and text logged under
-- a name and a step. Image bytes are blobs of the artifact store (table blob), held through media_blob.

-- A run's media series: one kind per name, and the row that logMedia locks so that concurrent calls to the same
-- series number their items in turn.
create table media_series (
    run_id bigint not null references run (id) on delete cascade,
    name   text   not null,
    kind   text   not null check (kind in ('IMAGE', 'HISTOGRAM', 'TABLE', 'TEXT')),
    primary key (run_id, name)
);

-- The primary key answers the steps of (run, name) and the highest step at or before s from the index alone.
create table media_item (
    run_id     bigint      not null,
    name       text        not null,
    step       bigint      not null check (step >= 0),
    idx        int         not null check (idx >= 0),
    kind       text        not null,
    caption    text,
    created_at timestamptz not null default now(),
    -- Images: the blob and what was read from its header.
    sha256     text,
    format     text,
    width      int,
    height     int,
    bytes      bigint,
    overlays   jsonb,
    -- Histograms ({edges, counts}), tables ({columns, rows}) and text ({format, content}).
    payload    jsonb,
    primary key (run_id, name, step, idx),
    foreign key (run_id, name) references media_series (run_id, name) on delete cascade
);

-- Every blob a media item holds (an image, the images of a table's cells): the artifact collector keeps these
-- blobs, and a project's signed links download them.
create table media_blob (
    run_id bigint not null,
    name   text   not null,
    step   bigint not null,
    idx    int    not null,
    sha256 text   not null,
    primary key (run_id, name, step, idx, sha256),
    foreign key (run_id, name, step, idx) references media_item (run_id, name, step, idx) on delete cascade
);
create index media_blob_sha256 on media_blob (sha256);

-- logMedia batch ids already applied, with what the call answered (its per-item errors), which a repeated call
-- answers again. Apart from ingest_batch: a client may give one batch id to the metrics and the media of a step.
create table media_batch (
    run_id     bigint      not null references run (id) on delete cascade,
    batch_id   text        not null,
    errors     jsonb       not null,
    created_at timestamptz not null default now(),
    primary key (run_id, batch_id)
);
