#!/usr/bin/env bash
# fleet-bench.sh — `strata fleet migrate` over many tenant databases, against what users do today
# (a shell loop of `strata migrate`) and against the floor (one psql session per tenant, run in
# parallel).
#
#   bench/fleet-bench.sh [-d DBS] [-m MIGRATIONS] [-p "1 2 4 8 16"] [-j FLOOR_JOBS] [-x]
#
#   -d  tenant databases (default 100)          -m  migrations each (default 50)
#   -p  --parallel values (default "1 2 4 8 16") -j  parallel psql sessions for the floor (8)
#   -x  fleet cells only (no psql floor, no shell loop): to compare two strata binaries
#   STRATA=path/to/strata (default build/cli/strata)
#
# Starts a private PostgreSQL 15 cluster (default settings: fsync and synchronous_commit on;
# max_connections 200) in a temporary directory, removed on exit. Generates the migrations with
# gen-migrations.py. Before every cell all tenant databases are dropped and created empty (not
# timed). Each cell is timed once, wall clock; every database is checked after each cell (the
# last migration's table exists and the ledger has MIGRATIONS rows). Prints a Markdown table
# with the 1-minute load average (/proc/loadavg) at the end of each cell: on a shared machine
# the numbers mean little without it.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DBS=100
MIGS=50
PARS="1 2 4 8 16"
FLOOR_JOBS=8
FLEET_ONLY=0
while getopts "d:m:p:j:xh" opt; do
  case $opt in
    d) DBS=$OPTARG ;; m) MIGS=$OPTARG ;; p) PARS=$OPTARG ;; j) FLOOR_JOBS=$OPTARG ;;
    x) FLEET_ONLY=1 ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
STRATA=${STRATA:-$ROOT/build/cli/strata}
. "$BENCH_DIR/lib/cluster.sh"   # PGBIN, cluster_start
PSQL_BIN=$PGBIN/psql
die() { printf 'fleet-bench: %s\n' "$*" >&2; exit 1; }
say() { printf '== %s\n' "$*" >&2; }
[ -x "$STRATA" ] || die "no strata binary at $STRATA"
[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 is missing"

cluster_start strata-fleet-bench "max_connections = 200"   # bench/lib/cluster.sh
WORK=$CLUSTER_DIR
export STRATA_CACHE_DIR=$WORK/stat-cache
PSQL="$PSQL_BIN -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PORT -U postgres"

# --- project -----------------------------------------------------------------------------
GEN=$WORK/gen
python3 "$BENCH_DIR/gen-migrations.py" "$MIGS" "$GEN" >/dev/null
PROJ=$WORK/proj
mkdir -p "$PROJ/db/migration"
cp "$GEN"/strata/*.sql "$PROJ/db/migration/"
printf 'locations = ["db/migration"]\n' >"$PROJ/strata.toml"
(cd "$PROJ" && "$STRATA" --url sqlite::memory: hash >/dev/null)
: >"$PROJ/db/fleet.toml"
for i in $(seq 1 "$DBS"); do
  printf '[[target]]\nname = "t%03d"\nurl = "postgres://postgres@127.0.0.1:%s/t%03d"\n\n' "$i" "$PORT" "$i" >>"$PROJ/db/fleet.toml"
done
LAST_TABLE=t$(( (MIGS - 1) / 4 + 1 ))

# Empty every database: created once; later emptied by recreating its public schema (DROP
# DATABASE forces a checkpoint each, minutes for 100 with fsync on).
CREATED=0
reset_dbs() {
  if [ $CREATED = 0 ]; then
    for i in $(seq 1 "$DBS"); do printf 'CREATE DATABASE t%03d;\n' "$i"; done | $PSQL -d postgres >/dev/null
    CREATED=1
    return
  fi
  for i in $(seq 1 "$DBS"); do
    $PSQL -d "$(printf 't%03d' "$i")" -c "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
  done
}
check_dbs() {  # LEDGER_TABLE
  local bad=0
  for i in $(seq 1 "$DBS"); do
    n=$($PSQL -d "$(printf 't%03d' "$i")" -At -c "SELECT count(*) FROM $1 WHERE version IS NOT NULL; SELECT to_regclass('$LAST_TABLE') IS NOT NULL" | tr '\n' ' ')
    [ "$n" = "$MIGS t " ] || { bad=1; echo "t$i: $n" >&2; }
  done
  [ $bad = 0 ] || die "a database is not fully migrated"
}
now() { date +%s.%N; }
RESULTS=()
cell() {  # NAME LEDGER_TABLE COMMAND...
  local name=$1 ledger=$2; shift 2
  reset_dbs
  local t0 t1
  t0=$(now)
  "$@" >"$WORK/cell.log" 2>&1 || { tail -20 "$WORK/cell.log" >&2; die "$name failed"; }
  t1=$(now)
  check_dbs "$ledger"
  local s load
  s=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  load=$(cut -d' ' -f1 /proc/loadavg)
  say "$name: ${s}s (load $load)"
  RESULTS+=("$name|$s|$load")
}

# --- cells -------------------------------------------------------------------------------
floor_one() {  # DB: one psql session applying every file with its ledger row
  cd "$GEN" && $PSQL -d "$1" -f floor/ledger.sql -f floor/pg-session.sql
}
export -f floor_one
export GEN PSQL
if [ $FLEET_ONLY = 0 ]; then
  cell "psql floor, $FLOOR_JOBS sessions in parallel" bench_ledger \
    bash -c "seq -f 't%03g' 1 $DBS | xargs -P $FLOOR_JOBS -I{} bash -c 'floor_one {}'"
  cell "shell loop of strata migrate" strata_schema_history \
    bash -c "cd '$PROJ' && for i in \$(seq -f '%03g' 1 $DBS); do '$STRATA' --url postgres://postgres@127.0.0.1:$PORT/t\$i migrate >/dev/null || exit 1; done"
fi
for p in $PARS; do
  cell "strata fleet migrate --parallel $p" strata_schema_history \
    bash -c "cd '$PROJ' && '$STRATA' fleet migrate --parallel $p"
done

printf '\n%s tenant databases x %s migrations, PostgreSQL 15 (private cluster, fsync on), %s CPUs\n\n' "$DBS" "$MIGS" "$(nproc)"
printf '| run | wall time (s) | load (1 min) |\n|---|---|---|\n'
for r in "${RESULTS[@]}"; do
  IFS='|' read -r n t l <<<"$r"
  printf '| %s | %s | %s |\n' "$n" "$t" "$l"
done
