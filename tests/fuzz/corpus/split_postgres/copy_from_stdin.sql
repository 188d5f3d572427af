create table t (a int, b text);
COPY t (a, b) FROM stdin;
1	one
2	\N
\.
select 1;
