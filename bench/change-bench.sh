#!/bin/sh
# `strata change` under a steady write workload (issue 19): a table of N rows (default
# 1,000,000), C pgbench clients (default 8) updating and reading random rows, and the change
# `ALTER TABLE acct ALTER COLUMN qty TYPE bigint` done two ways:
#   strata   change start (shadow column, dual-write trigger, backfill) and change complete
#   plain    the same ALTER TABLE run directly (a table rewrite under ACCESS EXCLUSIVE)
# For each phase it prints the workload's throughput (tps), its p99 and worst latency, and how
# many transactions waited longer than the lock timeout (1s), from pgbench's per-transaction
# log; plus the backfill's rows/s beside a single UPDATE's on the same table, each with the
# workload running from before it starts until it ends (the phases `change start` and `one
# UPDATE` last as long as they take; the workload stops with SIGINT, which pgbench handles).
# A private PostgreSQL cluster is started here (initdb + pg_ctl, a free loopback port) and
# always stopped. The load average of the machine is printed at the start and the end.
# Usage: bench/change-bench.sh path/to/strata [N] [C] [SECONDS]   Results: docs/PERFORMANCE.md
set -eu
STRATA=$(realpath "$1")
N=${2:-1000000}
C=${3:-8}
T=${4:-20}
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib/cluster.sh"
. "$BENCH/lib/stats.sh"
cluster_start strata-bench-change "fsync = off" "max_connections = 100"
BIN=$PGBIN
DIR=$CLUSTER_DIR
URL="$CLUSTER_URL/postgres"
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
# stop_workload: ends an open-ended phase a second after what it measured. pgbench has no
# graceful stop (a background command of a non-interactive shell ignores SIGINT, and pgbench
# does not catch it), so it is terminated; the transactions of the measured window are in its
# log by then (only the last fraction of a second may still be buffered), and report counts
# only those.
stop_workload() { sleep 1; kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
now() { python3 -c 'import time; print(f"{time.time():.3f}")'; }
# report <label> <what> [<from> <to>]: throughput, p99, worst and transactions over 1s of the
# transactions that ended in the window (epoch seconds; default: the whole log). Log columns:
# client, tx, latency (us), script, epoch s, epoch us.
report() {
  cat "$1".log* | python3 -c '
import sys
lo = float(sys.argv[2]) if len(sys.argv) > 3 else 0.0
hi = float(sys.argv[3]) if len(sys.argv) > 3 else 1e18
lat, ends = [], []
for l in sys.stdin:
    p = l.split()
    if len(p) < 6:
        continue
    end = int(p[4]) + int(p[5]) / 1e6
    if lo <= end <= hi:
        lat.append(int(p[2]))
        ends.append(end)
lat.sort()
span = (hi - lo) if len(sys.argv) > 3 else ((max(ends) - min(ends)) if ends else 0)
print("%-34s %8d tx  p99 %7.1f ms  max %7.1f ms  >1s: %d" % (sys.argv[1], len(lat),
      lat[int(len(lat) * 0.99)] / 1000.0 if lat else 0, lat[-1] / 1000.0 if lat else 0,
      sum(1 for x in lat if x > 1000000)))
print("    tps = %.0f" % (len(lat) / span if span > 0 else 0))' "$2" ${3:+"$3"} ${4:+"$4"}
}

cat > strata.toml <<EOF
[migrate]
lock_timeout = "1s"
EOF
cat > V2__qty_bigint.sql <<EOF
-- strata:change chunk_size=5000
ALTER TABLE acct ALTER COLUMN qty TYPE bigint;
EOF

echo "rows: $N  clients: $C  phase length: ${T}s  load average: $(loadavg)"
setup
run_workload base "$T"; wait "$pid"; report base "before (no change)"

run_workload start 3600
sleep 2
t0=$(now)
ms=$(ms "$STRATA" --url "$URL" change start V2__qty_bigint.sql)
t1=$(now)
stop_workload; report start "across change start (+backfill)" "$t0" "$t1"
echo "    change start took $ms ms: $(( N * 1000 / (ms > 0 ? ms : 1) )) rows/s with the workload running"
$PSQL -At -F ' ' -c "SELECT processed_count, chunk_count, chunk_size,
    (extract(epoch FROM completed_at - started_at) * 1000)::bigint FROM strata_backfill_job" |
  while read -r rows chunks size bms; do
    echo "    of which the backfill: $rows rows (the rest the workload's writes migrated through the trigger) in $chunks chunks (last size $size), $bms ms: $(( rows * 1000 / (bms > 0 ? bms : 1) )) rows/s"
  done

run_workload window "$T"; wait "$pid"; report window "in the window (dual-write trigger)"

run_workload complete "$T"
sleep 2
ms=$(ms "$STRATA" --url "$URL" change complete V2__qty_bigint.sql)
wait "$pid"; report complete "across change complete"
echo "    change complete took $ms ms"

setup
run_workload plain "$T"
sleep 2
ms=$(ms $PSQL -c "ALTER TABLE acct ALTER COLUMN qty TYPE bigint")
wait "$pid"; report plain "across a plain ALTER TABLE"
echo "    the plain ALTER TABLE took $ms ms (ACCESS EXCLUSIVE for all of it)"

setup
$PSQL -c "ALTER TABLE acct ADD COLUMN qty2 bigint" >/dev/null
run_workload update 3600
sleep 2
t0=$(now)
ms=$(ms $PSQL -c "UPDATE acct SET qty2 = qty")
t1=$(now)
stop_workload; report update "across one UPDATE of every row" "$t0" "$t1"
echo "    the single UPDATE took $ms ms: $(( N * 1000 / (ms > 0 ? ms : 1) )) rows/s"
echo "load average at the end: $(loadavg)"
