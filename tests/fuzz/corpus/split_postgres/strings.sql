set standard_conforming_strings = off;
select 'a\'b;', E'\x41;', U&'d\0061t\+000061', B'101', X'1F';
set standard_conforming_strings = on;
select $q$ ; $$ $q$, "quoted;ident", 'multi'
'line';
/* outer /* nested ; */ still comment */ select 2;
