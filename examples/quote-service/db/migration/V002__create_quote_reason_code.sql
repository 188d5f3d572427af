-- Reference vocabulary: why a quote changed state. Codes are never reused or re-meant:
-- add a new code and deactivate the old one.
create table quote_reason_code (
    code varchar(60) primary key,
    description varchar(200) not null,
    active boolean not null default true,
    created_at timestamptz not null default current_timestamp
);

insert into quote_reason_code (code, description, active)
values
    ('CUSTOMER_REQUEST', 'Customer requested the change', true),
    ('PRICE_REVIEW', 'Quote requires price review', true),
    ('CONFIGURATION_INVALID', 'Configuration is invalid', true)
on conflict (code) do nothing;
