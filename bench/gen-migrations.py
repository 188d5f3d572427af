#!/usr/bin/env python3
"""Generate N small migrations, the same SQL text in every timed tool's layout.

usage: gen-migrations.py N OUTDIR

Migration n is one of four kinds, cycling (k = table number = (n - 1) // 4 + 1):
  0  CREATE TABLE t<k> (PK, FK to t<k-1>, NOT NULL, DEFAULT, CHECK)
  1  ALTER TABLE t<k> ADD COLUMN x2
  2  CREATE INDEX x2
  3  INSERT 3 rows + UPDATE
The SQL is portable: the identical text runs on PostgreSQL and SQLite.

OUTDIR/
  strata/V<n>__<desc>.sql       strata (Flyway naming); the bench adds strata.sum with `strata hash`
  dbmate/<n:06>_<desc>.sql      "-- migrate:up" + body, "-- migrate:down" + revert
  npm/<n:06>_<desc>.sql         node-pg-migrate: "-- Up Migration" + body, "-- Down Migration"
  floor/ledger.sql              the floor's ledger table (same columns as strata's ledger)
  floor/pg-session.sql          psql:    BEGIN; \\ir file; INSERT ledger row; COMMIT;  per file
  floor/sqlite-session.sql      sqlite3: BEGIN; .read file; INSERT ledger row; COMMIT; per file
  manifest.tsv                  n, description, script, sha256 of the body
"""
import hashlib
import os
import shutil
import sys


def kind_of(n):
    return (n - 1) % 4


def table_of(n):
    return (n - 1) // 4 + 1


def description(n):
    k = table_of(n)
    return ("create_table_t{k}", "add_columns_t{k}", "index_t{k}", "seed_t{k}")[kind_of(n)].format(k=k)


def body(n):
    k = table_of(n)
    lines = [f"-- migration {n}"]
    kind = kind_of(n)
    if kind == 0:
        lines.append(f"CREATE TABLE t{k} (")
        lines.append("    id bigint PRIMARY KEY,")
        if k > 1:
            lines.append(f"    parent_id bigint REFERENCES t{k - 1} (id),")
        lines += [
            "    name varchar(100) NOT NULL,",
            "    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),",
            "    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP",
            ");",
        ]
    elif kind == 1:
        lines.append(f"ALTER TABLE t{k} ADD COLUMN note text;")
        lines.append(f"ALTER TABLE t{k} ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new';")
    elif kind == 2:
        lines.append(f"CREATE INDEX t{k}_name_idx ON t{k} (name);")
        lines.append(f"CREATE INDEX t{k}_status_created_idx ON t{k} (status, created_at);")
    else:
        lines += [
            f"INSERT INTO t{k} (id, name, amount, note) VALUES",
            "    (1, 'alpha', 10.50, 'seed row'),",
            "    (2, 'beta', 20.00, NULL),",
            "    (3, 'gamma', 0, 'zero amount');",
            f"UPDATE t{k} SET status = 'active' WHERE amount > 0;",
        ]
    return "\n".join(lines) + "\n"


def revert(n):
    k = table_of(n)
    return (
        f"DROP TABLE t{k};\n",
        f"ALTER TABLE t{k} DROP COLUMN status;\nALTER TABLE t{k} DROP COLUMN note;\n",
        f"DROP INDEX t{k}_status_created_idx;\nDROP INDEX t{k}_name_idx;\n",
        f"DELETE FROM t{k};\n",
    )[kind_of(n)]


# The floor's ledger: the columns a runner records per migration (strata keeps more).
LEDGER_DDL = """CREATE TABLE IF NOT EXISTS bench_ledger (
    installed_rank integer PRIMARY KEY,
    version text,
    description text NOT NULL,
    script text NOT NULL,
    checksum text,
    installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success boolean NOT NULL
);
"""


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: gen-migrations.py N OUTDIR")
    n_total, out = int(sys.argv[1]), sys.argv[2]
    if os.path.isdir(out):
        shutil.rmtree(out)
    for d in ("strata", "dbmate", "npm", "floor"):
        os.makedirs(os.path.join(out, d))
    write(os.path.join(out, "floor", "ledger.sql"), LEDGER_DDL)

    manifest, pg_session, sqlite_session = [], [], []
    total_bytes = 0
    for n in range(1, n_total + 1):
        desc, sql = description(n), body(n)
        total_bytes += len(sql)
        script = f"V{n}__{desc}.sql"
        write(os.path.join(out, "strata", script), sql)
        write(os.path.join(out, "dbmate", f"{n:06d}_{desc}.sql"),
              f"-- migrate:up\n{sql}\n-- migrate:down\n{revert(n)}")
        write(os.path.join(out, "npm", f"{n:06d}_{desc}.sql"),
              f"-- Up Migration\n{sql}\n-- Down Migration\n{revert(n)}")
        checksum = hashlib.sha256(sql.encode()).hexdigest()
        manifest.append(f"{n}\t{desc}\t{script}\t{checksum}\n")
        row = (f"INSERT INTO bench_ledger (installed_rank, version, description, script, checksum, "
               f"success) VALUES ({n}, '{n}', '{desc}', '{script}', '{checksum}', true);")
        pg_session.append(f"BEGIN;\n\\ir ../strata/{script}\n{row}\nCOMMIT;\n")
        # sqlite3's .read is relative to the working directory: the bench runs it from OUTDIR.
        sqlite_session.append(f"BEGIN;\n.read strata/{script}\n{row}\nCOMMIT;\n")
    write(os.path.join(out, "manifest.tsv"), "".join(manifest))
    write(os.path.join(out, "floor", "pg-session.sql"), "".join(pg_session))
    write(os.path.join(out, "floor", "sqlite-session.sql"), "".join(sqlite_session))
    print(f"gen-migrations: {n_total} migrations, {total_bytes} bytes of SQL, in {out}")


if __name__ == "__main__":
    main()
