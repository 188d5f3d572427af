-- strata:transaction off
--strata:lock-timeout 3s
  -- strata:statement-timeout 10min
create index concurrently i on t (a);
