#!/usr/bin/env bash
# backfill-bench.sh — `strata backfill run` against its floor (one UPDATE of the whole table) on
# PostgreSQL 15, alone and beside a concurrent workload of short transactions (pgbench).
#
#   bench/backfill/backfill-bench.sh [-n ROWS] [-c CLIENTS] [-R RATE] [-t TARGET] [-m MAX]
#                                    [-o DIR]
#
#   -n  rows in the table (default 1000000; the issue's size is 5000000)
#   -t  the job's chunk.target_duration (default 50ms); -m its chunk.max_size (default 20000)
#   -c  pgbench clients of the workload (default 4)
#   -R  the workload's rate in transactions per second, all clients together (pgbench --rate;
#       default unthrottled: the clients run flat out). A rate models a production database
#       that is not CPU-saturated; its latencies then count from each transaction's scheduled
#       start, so time spent queued behind a lock counts too
#   -o  results directory (default bench/results/backfill-<UTC timestamp>; git-ignored)
#   STRATA=path/to/strata (default build/cli/strata)
#
# What it does:
#   * starts a private PostgreSQL 15 cluster (initdb + pg_ctl, as the postgres user when run as
#     root) in a temporary directory on 127.0.0.1:<free port>, default durability settings
#     (fsync, synchronous_commit on); stopped and removed on exit whatever happens (trap);
#   * loads bench_item(id bigint primary key, grp, payload, touched, v1..v4 bigint NULL);
#   * idle:      the workload alone for 15 s -> its idle latency (p50/p99/max);
#   * floor:     UPDATE bench_item SET v1 = id * 2 WHERE v1 IS NULL, alone -> rows/s;
#   * backfill:  strata backfill run (same change on v2, job file job.toml), alone -> rows/s;
#   * floor+load / backfill+load: the same on v3 / v4 while the workload runs; the workload's
#     latency is measured over the transactions that ended while the change ran. The workload
#     is `UPDATE bench_item SET touched = touched + 1 WHERE id = random` (one row, autocommit),
#     so its longest latency is the longest time one of its transactions waited on row locks;
#   * the summary gives each phase's workload throughput (transactions that ended in the phase
#     per second; with -R it stays near RATE unless the workload falls behind its schedule, or
#     catches up after a wait);
#   * VACUUM + CHECKPOINT between phases (not timed); writes summary.md to the results directory.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
ROWS=1000000
CLIENTS=4
RATE=""
TARGET=50ms
MAXSIZE=20000
OUT=""
while getopts "n:c:R:t:m:o:h" opt; do
  case $opt in
    n) ROWS=$OPTARG ;;
    c) CLIENTS=$OPTARG ;;
    R) RATE=$OPTARG ;;
    t) TARGET=$OPTARG ;;
    m) MAXSIZE=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
OUT=${OUT:-$ROOT/bench/results/backfill-$(date -u +%Y%m%dT%H%M%SZ)}
STRATA=${STRATA:-$ROOT/build/cli/strata}
. "$ROOT/bench/lib/cluster.sh"   # PGBIN, cluster_start
say() { printf '== %s\n' "$*" >&2; }
die() { printf 'backfill-bench: %s\n' "$*" >&2; exit 1; }
[ -z "$RATE" ] || [[ $RATE =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "-R wants transactions per second, got '$RATE'"
LOAD_RATE=${RATE:+at $RATE tps}
LOAD_RATE=${LOAD_RATE:-unthrottled}
[ -x "$STRATA" ] || die "no strata binary at $STRATA (cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2, or set STRATA=...)"
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pgbench" ] || die "PostgreSQL 15 is missing (apt-get install postgresql-15)"
command -v python3 >/dev/null || die "python3 is missing"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# --- private cluster (bench/lib/cluster.sh): default durability settings ---------------------
LOADPID=""
bench_on_exit() { if [ -n "$LOADPID" ]; then kill "$LOADPID" 2>/dev/null || true; fi; }
cluster_start strata-backfill-bench "max_wal_size = '4GB'" "shared_buffers = '512MB'"
WORK=$CLUSTER_DIR
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PORT -U postgres"
URL="postgres://postgres@127.0.0.1:$PORT/bbench"
$PSQL -d postgres -c 'CREATE DATABASE bbench'
say "PostgreSQL 15 on 127.0.0.1:$PORT; loading $ROWS rows"
$PSQL -d bbench -c "CREATE TABLE bench_item (id bigint PRIMARY KEY, grp integer NOT NULL,
  payload text NOT NULL, touched integer NOT NULL DEFAULT 0, v1 bigint, v2 bigint, v3 bigint,
  v4 bigint)"
$PSQL -d bbench -c "INSERT INTO bench_item (id, grp, payload)
  SELECT g, g % 16, md5(g::text) FROM generate_series(1, $ROWS) g"
$PSQL -d bbench -c 'VACUUM (ANALYZE) bench_item'

# --- the project: strata.toml and one job per column -------------------------------------
PROJ=$WORK/proj
mkdir -p "$PROJ/db/backfill" "$PROJ/db/migration"
printf 'url = "%s"\n' "$URL" > "$PROJ/strata.toml"
for col in v2 v4; do
  printf '%s\n' \
    'table = "bench_item"' \
    'key = "id"' \
    "where = \"$col IS NULL\"" \
    "set = \"$col = id * 2\"" \
    '[chunk]' \
    'size = 2000' \
    "target_duration = \"$TARGET\"" \
    "max_size = $MAXSIZE" \
    '[throttle]' \
    'lock_timeout = "1s"' \
    '[verify]' \
    "query = \"SELECT count(*) FROM bench_item WHERE $col IS NULL\"" \
    'expect = 0' > "$PROJ/db/backfill/fill_$col.toml"
done
cp "$PROJ/db/backfill/fill_v2.toml" "$OUT/job.toml"
printf '%s\n' "\\set id random(1, $ROWS)" \
  'UPDATE bench_item SET touched = touched + 1 WHERE id = :id;' > "$WORK/workload.sql"

now() { python3 -c 'import time; print(f"{time.time():.3f}")'; }
vacuum() { $PSQL -d bbench -c 'VACUUM bench_item' >/dev/null; $PSQL -d bbench -c 'CHECKPOINT' >/dev/null; }
start_load() {  # $1 = name, $2 = seconds
  local dir="$WORK/load-$1"
  mkdir -p "$dir"
  (cd "$dir" && "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PORT" -U postgres -c "$CLIENTS" -j 2 \
      ${RATE:+--rate="$RATE"} -T "$2" -l -f "$WORK/workload.sql" bbench > "$dir/pgbench.out" 2>&1) &
  LOADPID=$!
  sleep 2
}
wait_load() { wait "$LOADPID" || true; LOADPID=""; }
# $1 = name, $2 = from epoch, $3 = to epoch -> "p50 p99 max count tps" (ms; tps = transactions
# that ended in the window per second). With --rate a log line has a schedule_lag field more,
# and its latency already counts from the scheduled start.
latency() {
  python3 - "$WORK/load-$1" "$2" "$3" <<'PY'
import glob, sys
d, lo, hi = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
lat = []
for f in glob.glob(d + "/pgbench_log.*"):
    for line in open(f):
        p = line.split()
        if len(p) < 6:
            continue
        end = int(p[4]) + int(p[5]) / 1e6
        if lo <= end <= hi:
            lat.append(int(p[2]) / 1000.0)
lat.sort()
if not lat:
    print("- - - 0 0")
    sys.exit()
q = lambda x: lat[min(len(lat) - 1, int(x * len(lat)))]
tps = len(lat) / (hi - lo) if hi > lo else 0
print(f"{q(0.5):.2f} {q(0.99):.2f} {lat[-1]:.1f} {len(lat)} {tps:.0f}")
PY
}
secs() { python3 -c "print(round($2 - $1, 2))"; }

# --- idle workload -------------------------------------------------------------------------
vacuum  # like every phase: no checkpoint of the freshly loaded table inside the window
say "idle workload (15 s, $CLIENTS clients $LOAD_RATE)"
start_load idle 17
t0=$(now); sleep 15; t1=$(now)
wait_load
read -r IDLE_P50 IDLE_P99 IDLE_MAX IDLE_N IDLE_TPS < <(latency idle "$t0" "$t1")

# --- floor alone ---------------------------------------------------------------------------
vacuum
say "floor: one UPDATE of $ROWS rows"
t0=$(now); $PSQL -d bbench -c 'UPDATE bench_item SET v1 = id * 2 WHERE v1 IS NULL' >/dev/null; t1=$(now)
FLOOR_S=$(secs "$t0" "$t1")

# --- backfill alone ------------------------------------------------------------------------
vacuum
say "strata backfill run (alone)"
t0=$(now)
(cd "$PROJ" && "$STRATA" --json backfill run fill_v2 > "$OUT/backfill-alone.json" 2> "$OUT/backfill-alone.log")
t1=$(now)
BF_S=$(secs "$t0" "$t1")
CHUNKS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['job']['chunk_count'])" "$OUT/backfill-alone.json")

# --- floor with the workload ---------------------------------------------------------------
vacuum
say "floor with the workload"
start_load floor "$(python3 -c "import math; print(math.ceil($FLOOR_S * 1.5) + 10)")"
t0=$(now); $PSQL -d bbench -c 'UPDATE bench_item SET v3 = id * 2 WHERE v3 IS NULL' >/dev/null; t1=$(now)
wait_load
FLOORL_S=$(secs "$t0" "$t1")
read -r FL_P50 FL_P99 FL_MAX FL_N FL_TPS < <(latency floor "$t0" "$t1")

# --- backfill with the workload ------------------------------------------------------------
vacuum
say "strata backfill run with the workload"
start_load backfill "$(python3 -c "import math; print(math.ceil($BF_S * 1.5) + 10)")"
t0=$(now)
(cd "$PROJ" && "$STRATA" --json backfill run fill_v4 > "$OUT/backfill-load.json" 2> "$OUT/backfill-load.log")
t1=$(now)
wait_load
BFL_S=$(secs "$t0" "$t1")
read -r BL_P50 BL_P99 BL_MAX BL_N BL_TPS < <(latency backfill "$t0" "$t1")
THROTTLES=$(grep -c '"backfill.throttle"' "$OUT/backfill-load.log" || true)

rate() { python3 -c "print(f'{$ROWS / $1:,.0f}')"; }
pct() { python3 -c "print(f'{100 * $1 / $2:.0f}%')"; }
{
  echo "backfill bench: $ROWS rows, PostgreSQL 15, $CLIENTS workload clients $LOAD_RATE, chunk target $TARGET max $MAXSIZE, $(nproc) CPU, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| phase | seconds | rows/s | vs floor | workload p50 ms | p99 ms | longest ms | workload txns | workload tps |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| workload alone (idle) | 15 | | | $IDLE_P50 | $IDLE_P99 | $IDLE_MAX | $IDLE_N | $IDLE_TPS |"
  echo "| floor: one UPDATE | $FLOOR_S | $(rate "$FLOOR_S") | 100% | | | | | |"
  echo "| strata backfill run | $BF_S | $(rate "$BF_S") | $(pct "$FLOOR_S" "$BF_S") | | | | | |"
  echo "| floor + workload | $FLOORL_S | $(rate "$FLOORL_S") | 100% | $FL_P50 | $FL_P99 | $FL_MAX | $FL_N | $FL_TPS |"
  echo "| backfill + workload | $BFL_S | $(rate "$BFL_S") | $(pct "$FLOORL_S" "$BFL_S") | $BL_P50 | $BL_P99 | $BL_MAX | $BL_N | $BL_TPS |"
  echo
  echo "backfill chunks (alone): $CHUNKS; throttle events under load: $THROTTLES; job: job.toml"
} | tee "$OUT/summary.md"
