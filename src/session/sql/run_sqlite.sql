-- strata evidence ledger, SQLite. {schema} is replaced by "" (SQLite has one schema here)
-- Format documented in docs/formats/evidence.md. Columns are append-only: never
-- rename or drop. One row per run of a database-changing verb, one detail row per migration.
CREATE TABLE IF NOT EXISTS {schema}strata_run (
    run_id          TEXT PRIMARY KEY,
    verb            TEXT NOT NULL,        -- migrate, repair, baseline, verify, tag (never renumber)
    tag             TEXT,                 -- tag: the release name
    os_user         TEXT NOT NULL,
    db_user         TEXT NOT NULL,
    host            TEXT NOT NULL,
    tool_version    TEXT NOT NULL,
    config_checksum TEXT,
    target          TEXT NOT NULL,        -- redacted URL
    started_at      TEXT NOT NULL,        -- ISO-8601 UTC
    finished_at     TEXT,
    outcome         TEXT NOT NULL,        -- running, succeeded, failed
    error_code      TEXT,
    error_message   TEXT,                 -- redacted
    detail          TEXT                  -- JSON: verb-specific (smoke checks, repair actions)
);
CREATE TABLE IF NOT EXISTS {schema}strata_run_migration (
    run_id          TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    script          TEXT NOT NULL,
    version         TEXT,
    checksum        TEXT,
    transactional   INTEGER NOT NULL,
    outcome         TEXT NOT NULL,        -- applied, failed
    statements      INTEGER NOT NULL,
    rows_affected   TEXT NOT NULL,        -- JSON array, one entry per statement
    duration_ms     INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    lock_wait_ms    INTEGER NOT NULL,
    checks          TEXT NOT NULL,        -- JSON array of check results
    error_message   TEXT,
    PRIMARY KEY (run_id, seq)
);
