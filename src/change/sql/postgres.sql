-- strata change state, PostgreSQL. Format documented in docs/change.md.
-- Columns are append-only: never rename or drop; phase values are never renamed.
CREATE TABLE IF NOT EXISTS strata_change (
    name         text PRIMARY KEY,           -- the change file's stem, V042__rename_term
    file         text NOT NULL,
    checksum     varchar(64) NOT NULL,       -- SHA-256 of the file text when start ran
    phase        varchar(20) NOT NULL,       -- starting started completing completed
                                             -- aborting aborted
    operations   jsonb NOT NULL,             -- the derived operations and what start saved
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    message      text
);
CREATE TABLE IF NOT EXISTS strata_change_event (
    id      bigserial PRIMARY KEY,
    name    text NOT NULL,
    phase   varchar(20) NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    by      text,
    message text
);
