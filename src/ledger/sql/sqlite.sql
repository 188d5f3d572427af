-- strata ledger, SQLite. {table} is replaced by the quoted table name.
-- Format documented in docs/formats/ledger.md. Columns are append-only: never rename or drop.
CREATE TABLE IF NOT EXISTS {table} (
    installed_rank    INTEGER PRIMARY KEY,
    version           TEXT,
    description       TEXT NOT NULL,
    type              TEXT NOT NULL,       -- SQL, REPEATABLE, BASELINE, REPAIR, SEED, CORRECTION, IMPORTED (never rename)
    script            TEXT NOT NULL,
    checksum          TEXT,
    installed_by      TEXT NOT NULL,
    installed_on      TEXT NOT NULL,       -- ISO-8601 UTC, as hashed
    execution_time_ms INTEGER NOT NULL DEFAULT 0,
    success           INTEGER NOT NULL,    -- 0 or 1
    statements_done   INTEGER NOT NULL DEFAULT 0,
    prefix_hash       TEXT,
    reason            TEXT,
    prev_hash         TEXT NOT NULL,
    row_hash          TEXT NOT NULL,
    statement_started INTEGER              -- added in format 1.1; NULL unless a statement is in flight
);
