-- Release A (expand) of seed 000's contract-term change: nullable columns only, so the
-- running app version keeps working. The backfill and SET NOT NULL come in later releases.
alter table quote_line add column contract_term_months integer;
alter table quote_line add column contract_term_source varchar(40);
