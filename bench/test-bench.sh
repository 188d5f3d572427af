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
# Each warm run (first and second) starts after a CHECKPOINT of the cluster: the warm run clones
# the template (CREATE DATABASE ... TEMPLATE checkpoints), so without it the run would also
# write out whatever its preparation left dirty, which varied 269-780 ms for the same binary.
# After a warm run ends, strata clones the template for the next run in a background process
# (src/scratch). "second, after a pause" waits for that copy to finish (as when a person writes
# the new migration between runs) before its CHECKPOINT; "second, back to back" starts as soon as
# the run before it has exited, so it waits for part of the copy itself.
# The cluster and the timing helpers are bench/lib/cluster.sh and bench/lib/stats.sh.
# Usage: bench/test-bench.sh path/to/strata [N] [RUNS]. Results: docs/PERFORMANCE.md
# ("strata test").
set -eu
STRATA=$(realpath "$1")
N=${2:-1000}
RUNS=${3:-5}
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib/cluster.sh"
. "$BENCH/lib/stats.sh"
cluster_start strata-bench-test "fsync = off" "synchronous_commit = off" "full_page_writes = off"
BIN=$PGBIN
DIR=$CLUSTER_DIR
ADMIN="$CLUSTER_URL/postgres"
python3 "$BENCH/gen-migrations.py" "$N" "$DIR/gen" >/dev/null
mkdir -p "$DIR/p/db"
mv "$DIR/gen/strata" "$DIR/p/db/migration"
printf 'url = "postgres://postgres@127.0.0.1:%s/target"\nlocations = ["db/migration"]\n' "$PORT" > "$DIR/p/strata.toml"
cd "$DIR/p"
"$STRATA" hash >/dev/null
export STRATA_CACHE_DIR="$DIR/cache"
psql() { "$BIN/psql" -q -X -v ON_ERROR_STOP=1 "$ADMIN" -c "$1" >/dev/null; }
echo "migrations: $N"
# Interleaved pairs, alternating which command runs first; /proc/loadavg before each pair.
MS=""
TS=""
RS=""
i=0
while [ $i -lt "$RUNS" ]; do
  i=$((i + 1))
  psql "DROP DATABASE IF EXISTS target"; psql "CREATE DATABASE target"
  load=$(loadavg)
  if [ $((i % 2)) = 1 ]; then
    m=$(ms "$STRATA" migrate)
    t=$(ms "$STRATA" test --scratch "$ADMIN" --trace "$DIR/trace.json")
  else
    t=$(ms "$STRATA" test --scratch "$ADMIN" --trace "$DIR/trace.json")
    m=$(ms "$STRATA" migrate)
  fi
  r=$(ratio "$t" "$m")
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
prepared() {
  while [ "$("$BIN/psql" -X -At "$ADMIN" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata scratch prepare'")" != 0 ]; do sleep 0.1; done
}
drop_templates() {
  prepared
  for d in $("$BIN/psql" -X -At "$ADMIN" -c "SELECT datname FROM pg_database WHERE datname LIKE 'strata_warm_%'"); do psql "DROP DATABASE $d"; done
}
PREP='drop_templates; rm -f db/migration/V$((N + 1))__added.sql; "$STRATA" hash >/dev/null; psql CHECKPOINT'
W1=$(best "$RUNS" "$STRATA" test --keep --scratch "$ADMIN")
echo "strata test --keep, first: $W1 ms"
AGAIN='rm -f db/migration/V$((N + 1))__added.sql; "$STRATA" hash >/dev/null; "$STRATA" test --keep --scratch "$ADMIN" >/dev/null 2>&1; printf "CREATE TABLE added (id integer PRIMARY KEY);\n" > db/migration/V$((N + 1))__added.sql; "$STRATA" hash >/dev/null'
PREP="$AGAIN; prepared; psql CHECKPOINT"
W2=$(best "$RUNS" "$STRATA" test --keep --scratch "$ADMIN")
echo "strata test --keep, second after one new migration, after a pause: $W2 ms ($(python3 -c "print(f'{100*$W2/$W1:.1f}')") % of the first)"
PREP="$AGAIN"
W3=$(best "$RUNS" "$STRATA" test --keep --scratch "$ADMIN")
echo "strata test --keep, second after one new migration, back to back: $W3 ms ($(python3 -c "print(f'{100*$W3/$W1:.1f}')") % of the first)"
prepared
