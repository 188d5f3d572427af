-- strata:allow BC101 reason: fuzz seed
DO $$ BEGIN EXECUTE 'alter table t add column c int'; END $$;
alter table t alter column c set not null;
create index concurrently i on t (c);
