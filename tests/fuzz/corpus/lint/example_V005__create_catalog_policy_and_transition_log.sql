-- Seed data targets (seed 001 §9–11): the effective-dated product catalog and approval policy,
-- and the quote transition log that uses reason codes. Catalog and policy rows are versions:
-- a change adds a version with a later effective_from, so a quote made under an older version
-- stays explainable (quote_line records the version it was priced under).
create table product_offering (
    code varchar(80) not null,
    version integer not null,
    name varchar(200) not null,
    bandwidth_mbps integer,
    required_option varchar(80),
    monthly_price_minor bigint not null,
    currency char(3) not null,
    effective_from timestamptz not null,
    effective_to timestamptz,
    primary key (code, version)
);

create table approval_policy (
    policy_code varchar(80) not null,
    version integer not null,
    min_discount_pct numeric(5, 2) not null,
    approver_role varchar(80) not null,
    effective_from timestamptz not null,
    effective_to timestamptz,
    primary key (policy_code, version)
);

create table quote_transition_log (
    id bigint primary key,
    quote_revision_id uuid not null references quote_revision(id),
    from_state varchar(40) not null,
    to_state varchar(40) not null,
    reason_code varchar(60) not null references quote_reason_code(code),
    created_at timestamptz not null
);

create index idx_quote_transition_log_reason on quote_transition_log(reason_code);

alter table quote_reason_code add column superseded_by varchar(60);
alter table quote_line add column product_offering_version integer;
