-- Transactional outbox: events are written in the same transaction as the quote change.
create table outbox_event (
    id uuid primary key,
    aggregate_type varchar(80) not null,
    aggregate_id uuid not null,
    event_type varchar(160) not null,
    event_version integer not null,
    payload jsonb not null,
    headers jsonb not null,
    status varchar(40) not null,
    created_at timestamptz not null,
    published_at timestamptz,
    retry_count integer not null default 0,
    last_error text,
    constraint ck_outbox_status check (status in ('NEW', 'PUBLISHING', 'PUBLISHED', 'FAILED'))
);

create index idx_outbox_new_created_at
on outbox_event(created_at)
where status = 'NEW';
