-- Quote aggregate: header, revisions (immutable snapshots) and lines.
create table quote (
    id uuid primary key,
    customer_id uuid not null,
    state varchar(40) not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version bigint not null default 0,
    constraint ck_quote_state check (
        state in ('DRAFT', 'CONFIGURED', 'PRICED', 'APPROVAL_REQUIRED', 'APPROVED',
                  'ACCEPTED', 'EXPIRED', 'CANCELLED')
    )
);

create table quote_revision (
    id uuid primary key,
    quote_id uuid not null references quote(id),
    revision_no integer not null,
    state varchar(40) not null,
    contract_term_months integer,
    catalog_snapshot_hash varchar(128),
    configuration_snapshot_hash varchar(128),
    price_snapshot_hash varchar(128),
    created_at timestamptz not null,
    created_by varchar(120) not null,
    version bigint not null default 0,
    constraint uq_quote_revision_no unique (quote_id, revision_no)
);

create index idx_quote_revision_quote_id on quote_revision(quote_id);

create table quote_line (
    id bigint primary key,
    quote_revision_id uuid not null references quote_revision(id),
    product_offering_code varchar(80) not null,
    quantity integer not null check (quantity > 0),
    lifecycle_status varchar(40) not null,
    unit_price_minor bigint not null,
    currency char(3) not null,
    created_at timestamptz not null
);

create index idx_quote_line_revision on quote_line(quote_revision_id);
