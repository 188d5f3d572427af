create table a (id int);
create index concurrently i on a (id);
