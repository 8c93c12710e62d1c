-- Token prices that give a span its cost when it carries none (dev.trackstack.trace.ModelPrices). Seeded with
-- list prices of a few well-known models, in US dollars per million tokens; edit them with setModelPrice.
create table model_price (
    model              text        primary key check (model <> ''),
    input_per_million  numeric     not null check (input_per_million >= 0),
    output_per_million numeric     not null check (output_per_million >= 0),
    updated_at         timestamptz not null default now()
);
insert into model_price (model, input_per_million, output_per_million) values
    ('gpt-4o', 2.50, 10.00),
    ('gpt-4o-mini', 0.15, 0.60),
    ('gpt-4.1', 2.00, 8.00),
    ('gpt-4.1-mini', 0.40, 1.60),
    ('gpt-4.1-nano', 0.10, 0.40),
    ('o3-mini', 1.10, 4.40),
    ('claude-3-5-haiku', 0.80, 4.00),
    ('claude-3-5-sonnet', 3.00, 15.00),
    ('claude-sonnet-4', 3.00, 15.00),
    ('claude-opus-4', 15.00, 75.00),
    ('gemini-2.0-flash', 0.10, 0.40),
    ('gemini-1.5-pro', 1.25, 5.00),
    ('text-embedding-3-small', 0.02, 0),
    ('text-embedding-3-large', 0.13, 0);

-- Whether a span's cost came from these prices rather than from the span.
alter table span add column cost_estimated boolean not null default false;
