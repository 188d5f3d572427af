#!/bin/sh
# `strata change` under a steady write workload (issue 19): a table of N rows (default
# 1,000,000), C pgbench clients (default 8) updating and reading random rows, and the change
# `ALTER TABLE acct ALTER COLUMN qty TYPE bigint` done two ways:
#   strata   change start (shadow column, dual-write trigger, backfill) and change complete
#   plain    the same ALTER TABLE run directly (a table rewrite under ACCESS EXCLUSIVE)
# For each phase it prints the workload's throughput (tps), its p99 and worst latency, and how
# many transactions waited longer than the lock timeout (1s), from pgbench's per-transaction
# log; plus the backfill's rows/s beside a single UPDATE's on the same table with the workload
# running. A private PostgreSQL cluster is started here (initdb + pg_ctl, a free loopback
# port) and always stopped.
# Usage: bench/change-bench.sh path/to/strata [N] [C] [SECONDS]   Results: docs/PERFORMANCE.md
set -eu
STRATA=$(realpath "$1")
N=${2:-1000000}
C=${3:-8}
T=${4:-20}
BIN=${STRATA_PG_BINDIR:-/usr/lib/postgresql/15/bin}
DIR=$(mktemp -d /tmp/strata-bench-change-XXXXXX)
AS=""
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; AS="runuser -u postgres --"; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { $AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
$AS "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
$AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >/dev/null
URL="postgres://postgres@127.0.0.1:$PORT/postgres"
PSQL="$BIN/psql -q -X -v ON_ERROR_STOP=1 $URL"
chmod 777 "$DIR"
cd "$DIR"

setup() {
  $PSQL -c "DROP TABLE IF EXISTS acct; DROP TABLE IF EXISTS strata_change, strata_change_event, strata_backfill_job, strata_backfill_chunk CASCADE" >/dev/null 2>&1 || true
  $PSQL -c "CREATE TABLE acct (id bigint PRIMARY KEY, qty integer NOT NULL DEFAULT 0, note text);
            INSERT INTO acct SELECT g, g % 1000, 'row ' || g FROM generate_series(1, $N) g;" \
        -c "VACUUM ANALYZE acct" >/dev/null
}
cat > workload.sql <<EOF
\set id random(1, $N)
BEGIN;
UPDATE acct SET qty = qty + 1 WHERE id = :id;
SELECT qty, note FROM acct WHERE id = :id + 1;
END;
EOF

# run_workload <label> <seconds>: pgbench in the background (its pid in $pid); its log goes
# to <label>.*
run_workload() {
  rm -f "$1".log*
  "$BIN/pgbench" -n -c "$C" -j 2 -T "$2" -f workload.sql -l --log-prefix="$1.log" "$URL" \
    > "$1.out" 2>&1 &
  pid=$!
}
# report <label> <what>: tps, p99, worst, transactions over 1s (latency is column 3, in us)
report() {
  cat "$1".log* | python3 -c '
import sys
lat = sorted(int(l.split()[2]) for l in sys.stdin if len(l.split()) > 2)
span = 0
print("%-34s %8d tx  p99 %7.1f ms  max %7.1f ms  >1s: %d" % (sys.argv[1], len(lat),
      lat[int(len(lat) * 0.99)] / 1000.0 if lat else 0, lat[-1] / 1000.0 if lat else 0,
      sum(1 for x in lat if x > 1000000)))' "$2"
  grep -E "^tps" "$1.out" | head -1 | sed "s/^/    /"
}
elapsed() { s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

cat > strata.toml <<EOF
[migrate]
lock_timeout = "1s"
EOF
cat > V2__qty_bigint.sql <<EOF
-- strata:change chunk_size=5000
ALTER TABLE acct ALTER COLUMN qty TYPE bigint;
EOF

echo "rows: $N  clients: $C  phase length: ${T}s"
setup
run_workload base "$T"; wait "$pid"; report base "before (no change)"

run_workload start "$T"
sleep 2
ms=$(elapsed "$STRATA" --url "$URL" change start V2__qty_bigint.sql)
wait "$pid"; report start "across change start (+backfill)"
echo "    change start took $ms ms: $(( N * 1000 / (ms > 0 ? ms : 1) )) rows/s backfilled with the workload running"

run_workload window "$T"; wait "$pid"; report window "in the window (dual-write trigger)"

run_workload complete "$T"
sleep 2
ms=$(elapsed "$STRATA" --url "$URL" change complete V2__qty_bigint.sql)
wait "$pid"; report complete "across change complete"
echo "    change complete took $ms ms"

setup
run_workload plain "$T"
sleep 2
ms=$(elapsed $PSQL -c "ALTER TABLE acct ALTER COLUMN qty TYPE bigint")
wait "$pid"; report plain "across a plain ALTER TABLE"
echo "    the plain ALTER TABLE took $ms ms (ACCESS EXCLUSIVE for all of it)"

setup
$PSQL -c "ALTER TABLE acct ADD COLUMN qty2 bigint" >/dev/null
run_workload update "$T"
sleep 2
ms=$(elapsed $PSQL -c "UPDATE acct SET qty2 = qty")
wait "$pid"; report update "across one UPDATE of every row"
echo "    the single UPDATE took $ms ms: $(( N * 1000 / (ms > 0 ? ms : 1) )) rows/s"
