-- strata ledger, PostgreSQL. {table} is replaced by the (schema-qualified, quoted) table name.
-- Format documented in docs/formats/ledger.md. Columns are append-only: never rename or drop.
CREATE TABLE IF NOT EXISTS {table} (
    installed_rank    integer PRIMARY KEY,
    version           text,
    description       text NOT NULL,
    type              text NOT NULL,       -- SQL, REPEATABLE, BASELINE, REPAIR, SEED, CORRECTION, IMPORTED (never rename)
    script            text NOT NULL,
    checksum          text,
    installed_by      text NOT NULL,
    installed_on      text NOT NULL,       -- ISO-8601 UTC, as hashed
    execution_time_ms bigint NOT NULL DEFAULT 0,
    success           boolean NOT NULL,
    statements_done   integer NOT NULL DEFAULT 0,
    prefix_hash       text,
    reason            text,
    prev_hash         text NOT NULL,
    row_hash          text NOT NULL,
    statement_started integer              -- added in format 1.1; NULL unless a statement is in flight
);
