select 1;
-- strata:transacton off
