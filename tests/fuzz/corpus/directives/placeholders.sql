create role r password '${password}';
set search_path = ${schema};
select ${nope};
-- strata:allow SY101 reason: fuzz
