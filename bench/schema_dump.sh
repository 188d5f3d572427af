#!/bin/sh
# `strata schema dump` and `strata drift` beside `pg_dump --schema-only` on a generated schema
# of N tables (default 1000: 6 columns, a primary key, a foreign key, an index, a check; a view
# per 10 tables; a function and a trigger per 50) in a private PostgreSQL cluster started here
# (initdb + pg_ctl in a temporary directory, a free loopback port) and always stopped.
# Usage: [RUNS=5] bench/schema_dump.sh path/to/strata [N]   Results: docs/PERFORMANCE.md. KEEP=1 leaves
# the cluster running and prints its URL (stop it with pg_ctl -D <dir>/data stop).
set -eu
STRATA=$(realpath "$1")
N=${2:-1000}
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib/cluster.sh"
. "$BENCH/lib/stats.sh"
CLUSTER_KEEP=${KEEP:-}
cluster_start strata-bench-schema "fsync = off"
BIN=$PGBIN
DIR=$CLUSTER_DIR
URL="$CLUSTER_URL/postgres"
[ -n "${KEEP:-}" ] && echo "url: $URL"
python3 - "$N" > "$DIR/schema.sql" <<'PY'
import sys
n = int(sys.argv[1])
print("CREATE SCHEMA app;")
for i in range(n):
    fk = f", parent_id bigint REFERENCES app.t{i-1}(id)" if i else ", parent_id bigint"
    print(f"CREATE TABLE app.t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, "
          f"amount numeric(12,2) DEFAULT 0 CHECK (amount >= 0), created timestamptz NOT NULL DEFAULT now(), "
          f"flags integer[]{fk});")
    print(f"CREATE INDEX t{i}_name_idx ON app.t{i} (name);")
    if i % 10 == 0:
        print(f"CREATE VIEW app.v{i} AS SELECT id, name FROM app.t{i} WHERE amount > 0;")
    if i % 50 == 0:
        print(f"CREATE FUNCTION app.f{i}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;")
        print(f"CREATE TRIGGER t{i}_trg BEFORE UPDATE ON app.t{i} FOR EACH ROW EXECUTE FUNCTION app.f{i}();")
PY
"$BIN/psql" -q -X -v ON_ERROR_STOP=1 "$URL" -f "$DIR/schema.sql" >/dev/null
cd "$DIR"
echo "tables: $N"
"$STRATA" --url "$URL" schema dump --out "$DIR/dump.sql" >/dev/null
# RUNS (default 5) rounds, each running the three in turn, so that all see the same load
# (a shared machine's load varies by minutes); each round printed with its load average, then
# the medians.
RUNS=${RUNS:-5}
D=""
P=""
F=""
i=0
while [ $i -lt "$RUNS" ]; do
  i=$((i + 1))
  load=$(loadavg)
  d=$(ms "$STRATA" --url "$URL" schema dump)
  p=$(ms "$BIN/pg_dump" --schema-only "$URL")
  f=$(ms "$STRATA" --url "$URL" drift --against "$DIR/dump.sql")
  echo "round $i: strata schema dump $d ms, pg_dump --schema-only $p ms, strata drift $f ms, loadavg $load"
  D="$D $d"
  P="$P $p"
  F="$F $f"
done
# shellcheck disable=SC2086
echo "strata schema dump:        $(median_int $D) ms median ($("$STRATA" --url "$URL" schema dump | wc -c) bytes)"
# shellcheck disable=SC2086
echo "pg_dump --schema-only:     $(median_int $P) ms median ($("$BIN/pg_dump" --schema-only "$URL" | wc -c) bytes)"
# shellcheck disable=SC2086
echo "strata drift (no drift):   $(median_int $F) ms median"
"$STRATA" --url "$URL" schema dump > "$DIR/dump2.sql"
cmp -s "$DIR/dump.sql" "$DIR/dump2.sql" && echo "second dump identical: yes" || echo "second dump identical: NO"
