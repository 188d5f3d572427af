#!/bin/sh
# `strata test` beside a plain `strata migrate` of the same N generated migrations (default
# 1000, bench/gen-migrations.py) on the same private PostgreSQL cluster (initdb + pg_ctl in a
# temporary directory, a free loopback port, fsync off like `--scratch local`; always stopped):
#   migrate      `strata migrate` of all N into a fresh database of that server
#   test         `strata test --scratch <server>`: a scratch database of its own, every migration
#                observed (locks, rewrites), checks, verify, the trace (--trace)
#   warm first   `strata test --keep` with no template yet (builds it)
#   warm second  `strata test --keep` after adding migration N+1 (the template holds 1..N)
# migrate and test run in RUNS (default 5) interleaved pairs, alternating which goes first, so
# that both see the same load: each pair's ratio and load average printed, then the medians of
# migrate, test and the pairs' ratios. The warm rows are the best of RUNS. Wall-clock ms.
# Usage: bench/test-bench.sh path/to/strata [N] [RUNS]. Results: docs/PERFORMANCE.md
# ("strata test").
set -eu
STRATA=$(realpath "$1")
N=${2:-1000}
RUNS=${3:-5}
BENCH=$(cd "$(dirname "$0")" && pwd)
BIN=${STRATA_PG_BINDIR:-/usr/lib/postgresql/15/bin}
DIR=$(mktemp -d /tmp/strata-bench-test-XXXXXX)
AS=""
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; AS="runuser -u postgres --"; fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { $AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
$AS "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
$AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
ADMIN="postgres://postgres@127.0.0.1:$PORT/postgres"
python3 "$BENCH/gen-migrations.py" "$N" "$DIR/gen" >/dev/null
mkdir -p "$DIR/p/db"
mv "$DIR/gen/strata" "$DIR/p/db/migration"
printf 'url = "postgres://postgres@127.0.0.1:%s/target"\nlocations = ["db/migration"]\n' "$PORT" > "$DIR/p/strata.toml"
cd "$DIR/p"
"$STRATA" hash >/dev/null
export STRATA_CACHE_DIR="$DIR/cache"
psql() { "$BIN/psql" -q -X -v ON_ERROR_STOP=1 "$ADMIN" -c "$1" >/dev/null; }
best() {  # best of RUNS wall-clock runs of "$@" after running $PREP, in ms
  b=999999999
  i=0
  while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    eval "$PREP"
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; "$@" >&2 || true; exit 1; }; e=$(date +%s%N)
    t=$(( (e - s) / 1000000 )); [ "$t" -lt "$b" ] && b=$t
  done
  echo "$b"
}
ms() {  # wall-clock ms of "$@"
  s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; "$@" >&2 || true; exit 1; }; e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
}
echo "migrations: $N"
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
# Interleaved pairs, alternating which command runs first; /proc/loadavg before each pair.
MS=""
TS=""
RS=""
i=0
while [ $i -lt "$RUNS" ]; do
  i=$((i + 1))
  psql "DROP DATABASE IF EXISTS target"; psql "CREATE DATABASE target"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ $((i % 2)) = 1 ]; then
    m=$(ms "$STRATA" migrate)
    t=$(ms "$STRATA" test --scratch "$ADMIN" --trace "$DIR/trace.json")
  else
    t=$(ms "$STRATA" test --scratch "$ADMIN" --trace "$DIR/trace.json")
    m=$(ms "$STRATA" migrate)
  fi
  r=$(python3 -c "print(f'{$t/$m:.2f}')")
  echo "pair $i: migrate $m ms, test $t ms (${r}x), loadavg $load"
  MS="$MS $m"
  TS="$TS $t"
  RS="$RS $r"
done
# shellcheck disable=SC2086
echo "strata migrate:             $(median $MS) ms (median of $RUNS)"
# shellcheck disable=SC2086
echo "strata test (from scratch): $(median $TS) ms (median of $RUNS)"
# shellcheck disable=SC2086
echo "test / migrate:             $(median $RS)x (median of the pairs' ratios)"
drop_templates() {
  for d in $("$BIN/psql" -X -At "$ADMIN" -c "SELECT datname FROM pg_database WHERE datname LIKE 'strata_warm_%'"); do psql "DROP DATABASE $d"; done
}
PREP='drop_templates; rm -f db/migration/V$((N + 1))__added.sql; "$STRATA" hash >/dev/null'
W1=$(best "$STRATA" test --keep --scratch "$ADMIN")
echo "strata test --keep, first: $W1 ms"
PREP='rm -f db/migration/V$((N + 1))__added.sql; "$STRATA" hash >/dev/null; "$STRATA" test --keep --scratch "$ADMIN" >/dev/null 2>&1; printf "CREATE TABLE added (id integer PRIMARY KEY);\n" > db/migration/V$((N + 1))__added.sql; "$STRATA" hash >/dev/null'
W2=$(best "$STRATA" test --keep --scratch "$ADMIN")
echo "strata test --keep, second after one new migration: $W2 ms ($(python3 -c "print(f'{100*$W2/$W1:.1f}')") % of the first)"
