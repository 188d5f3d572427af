-- strata backfill state, PostgreSQL. Format documented in docs/formats/backfill-job.md.
-- Columns are append-only: never rename or drop; status values are never renamed.
CREATE TABLE IF NOT EXISTS strata_backfill_job (
    id                 uuid PRIMARY KEY,
    job_key            varchar(120) NOT NULL,
    run_no             integer NOT NULL,        -- 1, then +1 per --restart (old runs are kept)
    status             varchar(40) NOT NULL,    -- pending running paused interrupted cancelled
                                                -- completed completed_with_failures failed
                                                -- verification_failed
    started_at         timestamptz,
    completed_at       timestamptz,
    last_processed_key text,                    -- JSON array of the key's values (text)
    processed_count    bigint NOT NULL DEFAULT 0,
    failed_count       bigint NOT NULL DEFAULT 0,
    chunk_count        bigint NOT NULL DEFAULT 0,
    total_estimate     bigint,
    chunk_size         bigint,                  -- the size the runner uses now (adaptive)
    dry_run            boolean NOT NULL DEFAULT false,
    parameters         jsonb NOT NULL,          -- the job as resolved from its file
    overrides          jsonb NOT NULL DEFAULT '{}', -- `backfill set` values, read every chunk
    job_file           text NOT NULL,
    job_checksum       varchar(64) NOT NULL,    -- SHA-256 of the job file; a change needs --restart
    message            text,                    -- why it ended: verification numbers, errors
    runner             text,                    -- who runs it: application name, pid, host
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_key, run_no)
);
CREATE TABLE IF NOT EXISTS strata_backfill_failure (
    id        bigserial PRIMARY KEY,
    job_id    uuid NOT NULL REFERENCES strata_backfill_job(id),
    row_key   text NOT NULL,                    -- JSON array of the key's values
    error     text NOT NULL,
    sqlstate  varchar(20),
    attempt   integer NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS strata_backfill_failure_job ON strata_backfill_failure (job_id);
CREATE TABLE IF NOT EXISTS strata_backfill_partition (
    job_id             uuid NOT NULL REFERENCES strata_backfill_job(id),
    partition_value    text NOT NULL,           -- JSON of the value (null for NULL)
    last_processed_key text,
    processed_count    bigint NOT NULL DEFAULT 0,
    failed_count       bigint NOT NULL DEFAULT 0,
    done               boolean NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, partition_value)
);
