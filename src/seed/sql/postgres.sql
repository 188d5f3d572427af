-- strata's audited data corrections, PostgreSQL (docs/formats/correction.md). Seed 001 §24's
-- data_correction_audit columns first, then strata's. Columns are append-only: never rename or
-- drop; stored enum values (kind, outcome) are never renamed.
CREATE TABLE IF NOT EXISTS strata_correction_audit (
    id             uuid PRIMARY KEY,
    correction_id  varchar(120) NOT NULL,
    target_table   varchar(120) NOT NULL,
    target_id      varchar(120) NOT NULL,
    before_value   jsonb,
    after_value    jsonb,
    reason         text NOT NULL,
    approved_by    varchar(120),
    executed_by    varchar(120) NOT NULL,
    executed_at    timestamptz NOT NULL,
    run_id         uuid NOT NULL,
    kind           varchar(20) NOT NULL,   -- apply, revert
    ticket         text
);
CREATE INDEX IF NOT EXISTS strata_correction_audit_run ON strata_correction_audit (run_id);
CREATE TABLE IF NOT EXISTS strata_correction_run (
    run_id         uuid PRIMARY KEY,
    correction_id  varchar(120) NOT NULL,
    kind           varchar(20) NOT NULL,   -- apply, revert
    reverts_run    uuid,
    file           text NOT NULL,
    checksum       text NOT NULL,
    outcome        varchar(20) NOT NULL,   -- applied, rolled-back
    rows_changed   bigint NOT NULL,
    expected_min   bigint,
    expected_max   bigint,
    message        text,
    executed_by    varchar(120) NOT NULL,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL,
    evidence_run   text                    -- strata_run.run_id of the run record
);
