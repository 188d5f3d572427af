-- strata's audited data corrections, SQLite (docs/formats/correction.md). Seed 001 §24's
-- data_correction_audit columns first, then strata's. Columns are append-only: never rename or
-- drop; stored enum values (kind, outcome) are never renamed. JSON images are TEXT.
CREATE TABLE IF NOT EXISTS strata_correction_audit (
    id             TEXT PRIMARY KEY,
    correction_id  TEXT NOT NULL,
    target_table   TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    before_value   TEXT,
    after_value    TEXT,
    reason         TEXT NOT NULL,
    approved_by    TEXT,
    executed_by    TEXT NOT NULL,
    executed_at    TEXT NOT NULL,
    run_id         TEXT NOT NULL,
    kind           TEXT NOT NULL,          -- apply, revert
    ticket         TEXT
);
CREATE INDEX IF NOT EXISTS strata_correction_audit_run ON strata_correction_audit (run_id);
CREATE TABLE IF NOT EXISTS strata_correction_run (
    run_id         TEXT PRIMARY KEY,
    correction_id  TEXT NOT NULL,
    kind           TEXT NOT NULL,          -- apply, revert
    reverts_run    TEXT,
    file           TEXT NOT NULL,
    checksum       TEXT NOT NULL,
    outcome        TEXT NOT NULL,          -- applied, rolled-back
    rows_changed   INTEGER NOT NULL,
    expected_min   INTEGER,
    expected_max   INTEGER,
    message        TEXT,
    executed_by    TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT NOT NULL,
    evidence_run   TEXT                    -- strata_run.run_id of the run record
);
