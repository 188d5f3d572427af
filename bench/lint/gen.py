#!/usr/bin/env python3
"""gen.py STATEMENTS OUTDIR: the lint benchmark corpus, a 20-statement cycle of realistic mixed
migration SQL (safe and risky forms): OUTDIR/one-S.sql, OUTDIR/files-S/NNNNN.sql (10 each) and
OUTDIR/oneline-4000.sql (4,000 of them on a single line: many findings on one long line, which
once took memory quadratic in the line)."""
import os
import sys

S = int(sys.argv[1])
out = sys.argv[2]
files = os.path.join(out, f"files-{S}")
os.makedirs(files, exist_ok=True)
for f in os.listdir(files):
    os.remove(os.path.join(files, f))


def stmt(i):
    k = i // 20
    t = f"orders_{k}"
    p = f"orders_{max(k - 1, 0)}"
    return [
        f"CREATE TABLE {t} (\n    id serial PRIMARY KEY,\n    customer_id int NOT NULL,\n    code varchar(32) NOT NULL,\n    total numeric(12,2) DEFAULT 0,\n    created_at timestamp DEFAULT now()\n);",
        f"ALTER TABLE {t} ADD COLUMN status text NOT NULL DEFAULT 'new';",
        f"ALTER TABLE {t} ADD COLUMN note varchar(255);",
        f"CREATE INDEX {t}_customer_idx ON {t} (customer_id);",
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {t}_created_idx ON {t} (created_at);",
        f"ALTER TABLE {t} ADD CONSTRAINT {t}_parent_fk FOREIGN KEY (customer_id) REFERENCES {p} (id);",
        f"ALTER TABLE {t} ADD CONSTRAINT {t}_total_chk CHECK (total >= 0) NOT VALID;",
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {t}_total_chk;",
        "SET lock_timeout = '2s';",
        f"ALTER TABLE {t} ALTER COLUMN code TYPE varchar(64);",
        f"INSERT INTO {t} (customer_id, code, total) VALUES (1, 'A-1', 10.00), (2, 'B-2', 20.50), (3, 'C-3', 0);",
        f"UPDATE {t} SET status = 'active' WHERE total > 0 AND created_at < now() - interval '1 day';",
        f"DELETE FROM {t} WHERE status = 'cancelled' AND id IN (SELECT id FROM {t} WHERE total = 0 LIMIT 100);",
        f"ALTER TABLE {t} RENAME COLUMN note TO remarks;",
        f"CREATE OR REPLACE VIEW {t}_active AS\n    SELECT o.id, o.customer_id, o.total FROM {t} o WHERE o.status = 'active';",
        f"CREATE OR REPLACE FUNCTION {t}_touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.created_at := now();\n    RETURN NEW;\nEND;\n$$;",
        f"COMMENT ON TABLE {t} IS 'orders partition {k}';",
        f"ALTER TABLE {t} ALTER COLUMN status SET NOT NULL;",
        f"ALTER TABLE {t} DROP COLUMN IF EXISTS remarks;",
        f"GRANT SELECT, INSERT, UPDATE ON {t} TO app_user;",
    ][i % 20]


with open(os.path.join(out, f"one-{S}.sql"), "w") as one:
    chunk = []
    for i in range(S):
        s = stmt(i)
        one.write(s + "\n")
        chunk.append(s)
        if len(chunk) == 10 or i == S - 1:
            with open(os.path.join(files, f"V{i // 10 + 1:05d}__bench_{i // 10:05d}.sql"), "w") as f:
                f.write("\n".join(chunk) + "\n")
            chunk = []

with open(os.path.join(out, "oneline-4000.sql"), "w") as f:
    f.write(" ".join(" ".join(stmt(i).split()) for i in range(4000)) + "\n")
