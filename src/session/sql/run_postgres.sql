-- strata evidence ledger, PostgreSQL. {schema} is replaced by the quoted schema prefix
-- ("" or "s".). Format documented in docs/formats/evidence.md. Columns are append-only: never
-- rename or drop. One row per run of a database-changing verb, one detail row per migration.
CREATE TABLE IF NOT EXISTS {schema}strata_run (
    run_id          text PRIMARY KEY,
    verb            text NOT NULL,        -- migrate, repair, baseline, verify, tag (never renumber)
    tag             text,                 -- tag: the release name
    os_user         text NOT NULL,
    db_user         text NOT NULL,
    host            text NOT NULL,
    tool_version    text NOT NULL,
    config_checksum text,
    target          text NOT NULL,        -- redacted URL
    started_at      text NOT NULL,        -- ISO-8601 UTC
    finished_at     text,
    outcome         text NOT NULL,        -- running, succeeded, failed
    error_code      text,
    error_message   text,                 -- redacted
    detail          text                  -- JSON: verb-specific (smoke checks, repair actions)
);
CREATE TABLE IF NOT EXISTS {schema}strata_run_migration (
    run_id          text NOT NULL,
    seq             integer NOT NULL,
    script          text NOT NULL,
    version         text,
    checksum        text,
    transactional   boolean NOT NULL,
    outcome         text NOT NULL,        -- applied, failed
    statements      integer NOT NULL,
    rows_affected   text NOT NULL,        -- JSON array, one entry per statement
    duration_ms     bigint NOT NULL,
    attempts        integer NOT NULL,
    lock_wait_ms    bigint NOT NULL,
    checks          text NOT NULL,        -- JSON array of check results
    error_message   text,
    PRIMARY KEY (run_id, seq)
);
