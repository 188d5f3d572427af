create table t (a int);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  insert into log values ('x;y'); update t set a = 1 where a = 2;
END;
/* c ; */ -- x;
select "a;" from [t;] where a = `b;`;
