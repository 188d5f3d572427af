#!/usr/bin/env bash
# migrate-bench.sh — time `strata migrate` against its floor and its fastest peers, in one run.
#
#   bench/migrate-bench.sh [-n "1000 200"] [-r RUNS] [-R NOOP_RUNS] [-t TOOLS] [-e ENGINES] [-o DIR]
#
#   -n  migration counts (default "1000 200")
#   -r  hyperfine runs per "migrate" cell (default 5); -R runs per "no-op" cell (default 20)
#   -t  tools (default "floor strata dbmate node-pg-migrate")
#   -e  engines (default "pg sqlite")
#   -o  results directory (default bench/results/<UTC timestamp>; bench/results/ is git-ignored)
#   STRATA=path/to/strata (default build/cli/strata, from
#     `cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2`)
#
# What it does:
#   * starts a private PostgreSQL 15 cluster (initdb + pg_ctl, as the postgres user when run
#     as root) in a temporary directory, TCP on 127.0.0.1:<free port>, trust auth, default
#     settings (fsync and synchronous_commit on); it is stopped and removed on exit, whatever
#     happens (trap);
#   * generates N migrations with gen-migrations.py (identical SQL in every tool's layout) and
#     writes strata.sum with `strata hash`;
#   * "migrate": hyperfine times one command applying all N migrations to an empty database,
#     dropped and recreated (PostgreSQL) or deleted (SQLite) by --prepare before every run;
#     the tools' runs are interleaved (round 1 of every tool, then round 2, ...);
#   * "no-op": the same command again with all N applied (start, connect, read the ledger,
#     compare with the files — for strata including the strata.sum check — exit), each tool on
#     its own database so that the no-op runs are interleaved too; for strata also
#     "strata-cold", the no-op without its stat cache (every file read and hashed);
#   * checks every migrated database (tables, indexes, seed rows, ledger rows);
#   * writes hyperfine JSON per cell and summary.md (min / median, ratios, targets).
#
# Tools:
#   floor            the database's own CLI in ONE session: psql (the real binary in
#                    /usr/lib/postgresql/15/bin, not Debian's Perl wrapper) / sqlite3 running
#                    `BEGIN; <file>; INSERT ledger row; COMMIT;` per file; no-op = one
#                    psql/sqlite3 process reading the ledger
#   strata           $STRATA --url ... --locations ... migrate
#   dbmate           npm dbmate's native Go binary (node_modules/@dbmate/linux-x64), not the
#                    node wrapper (which adds ~90 ms per call)
#   node-pg-migrate  npm node-pg-migrate (PostgreSQL only), one transaction per migration
#                    (--no-single-transaction: the same granularity as the others)
# Peers come from bench/package.json (`npm ci` into bench/node_modules on first use).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
NS="1000 200"
RUNS=5
NOOP_RUNS=20
TOOLS="floor strata dbmate node-pg-migrate"
ENGINES="pg sqlite"
OUT=""
while getopts "n:r:R:t:e:o:h" opt; do
  case $opt in
    n) NS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    R) NOOP_RUNS=$OPTARG ;;
    t) TOOLS=$OPTARG ;;
    e) ENGINES=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
OUT=${OUT:-$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)}
STRATA=${STRATA:-$ROOT/build/cli/strata}
. "$BENCH_DIR/lib/cluster.sh"   # PGBIN, cluster_start
PSQL_BIN=$PGBIN/psql   # the real binary: /usr/bin/psql is a Perl wrapper costing ~22 ms a start
DBMATE=$BENCH_DIR/node_modules/@dbmate/linux-x64/bin/dbmate
NPM_BIN=$BENCH_DIR/node_modules/.bin

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'migrate-bench: %s\n' "$*" >&2; exit 1; }
has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }

# --- prerequisites -----------------------------------------------------------------------
[ -x "$STRATA" ] || die "no strata binary at $STRATA (build it: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2, or set STRATA=...)"
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
command -v sqlite3 >/dev/null || die "sqlite3 is missing (apt-get install sqlite3)"
command -v python3 >/dev/null || die "python3 is missing"
[ -x "$PGBIN/initdb" ] && [ -x "$PSQL_BIN" ] || die "PostgreSQL 15 is missing (apt-get install postgresql-15)"
if has_tool dbmate || has_tool node-pg-migrate; then
  if [ ! -x "$DBMATE" ] || [ ! -x "$NPM_BIN/node-pg-migrate" ]; then
    say "installing peers from bench/package.json into bench/node_modules"
    # npm ci can reject a lock file that lists other platforms' optional binaries
    # (@dbmate/darwin-*, ...): fall back to npm install, which honours the same pins.
    (cd "$BENCH_DIR" && { npm ci --no-fund --no-audit --loglevel=error \
                          || npm install --no-fund --no-audit --loglevel=error; }) >&2 \
      || die "npm install failed in $BENCH_DIR (or run with -t \"floor strata\")"
  fi
fi

mkdir -p "$OUT/json/parts"
# --- private cluster (bench/lib/cluster.sh): default settings, fsync and synchronous_commit on
cluster_start strata-bench
WORK=$CLUSTER_DIR
# migrate's stat cache (src/migrate/stat_cache.h) lives and dies with this run.
export STRATA_CACHE_DIR=$WORK/stat-cache
say "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($PGDATA)"

PSQL="$PSQL_BIN -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PORT -U postgres"
# The database every command works on: mbench for the migrate cells; one per tool for the
# no-op cells (use_db TOOL), so that the tools' no-op runs can be interleaved too.
use_db() {
  PGDB=mbench${1:+_${1//-/_}}
  PGURL="postgres://postgres@127.0.0.1:$PORT/$PGDB"
  SQLITE_DB=$WORK/$PGDB.sqlite3
}
use_db ""
# reset_cmd ENGINE -> the command that empties the current database
reset_cmd() {
  case $1 in
    pg) echo "$PSQL -d postgres -c 'DROP DATABASE IF EXISTS $PGDB WITH (FORCE)' -c 'CREATE DATABASE $PGDB'" ;;
    sqlite) echo "rm -f $SQLITE_DB $SQLITE_DB-journal $SQLITE_DB-wal $SQLITE_DB-shm $SQLITE_DB-*.lock" ;;
  esac
}

# --- machine facts -----------------------------------------------------------------------
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "cores=$(nproc)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel=$(uname -r)"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "postgresql=$("$PGBIN/postgres" --version)"
  echo "sqlite3=$(sqlite3 --version | cut -d' ' -f1)"
  echo "hyperfine=$(hyperfine --version)"
  echo "strata=$STRATA ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  [ -x "$DBMATE" ] && echo "dbmate=$("$DBMATE" --version)"
  [ -x "$NPM_BIN/node-pg-migrate" ] && echo "node-pg-migrate=$(node -p "require('$BENCH_DIR/node_modules/node-pg-migrate/package.json').version") (node $(node --version))"
  echo "load_average_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs=$RUNS noop_runs=$NOOP_RUNS"
  echo "command=bench/migrate-bench.sh -n \"$NS\" -r $RUNS -R $NOOP_RUNS -t \"$TOOLS\" -e \"$ENGINES\""
} >"$OUT/machine.txt"

# --- commands per TOOL/ENGINE ------------------------------------------------------------
# cmd TOOL ENGINE DIR -> prints the shell command that applies every migration in DIR
cmd() {
  local tool=$1 engine=$2 m=$3
  case $tool/$engine in
    floor/pg)         echo "cd $m && $PSQL -d $PGDB -f floor/ledger.sql -f floor/pg-session.sql" ;;
    floor/sqlite)     echo "cd $m && sqlite3 -bail $SQLITE_DB '.read floor/ledger.sql' '.read floor/sqlite-session.sql'" ;;
    strata/pg)        echo "$STRATA --url $PGURL --locations $m/strata migrate" ;;
    strata/sqlite)    echo "$STRATA --url sqlite:$SQLITE_DB --locations $m/strata migrate" ;;
    dbmate/pg)        echo "$DBMATE --url '$PGURL?sslmode=disable' --migrations-dir $m/dbmate --no-dump-schema migrate" ;;
    dbmate/sqlite)    echo "$DBMATE --url sqlite:$SQLITE_DB --migrations-dir $m/dbmate --no-dump-schema migrate" ;;
    node-pg-migrate/pg) echo "DATABASE_URL=$PGURL $NPM_BIN/node-pg-migrate up -m $m/npm --no-single-transaction" ;;
    *) return 1 ;;
  esac
}
# noop_cmd TOOL ENGINE DIR -> the "nothing to do" command (the floor: read the ledger)
noop_cmd() {
  case $1/$2 in
    floor/pg)     echo "$PSQL -d $PGDB -At -c 'SELECT installed_rank, version, checksum FROM bench_ledger ORDER BY installed_rank' >/dev/null" ;;
    floor/sqlite) echo "sqlite3 $SQLITE_DB 'SELECT installed_rank, version, checksum FROM bench_ledger ORDER BY installed_rank' >/dev/null" ;;
    *) cmd "$@" ;;
  esac
}
ledger_table() {
  case $1 in
    floor) echo bench_ledger ;; strata) echo strata_schema_history ;;
    dbmate) echo schema_migrations ;; node-pg-migrate) echo pgmigrations ;;
  esac
}
# verify TOOL ENGINE N: the schema every tool must leave behind
verify() {
  local tool=$1 engine=$2 n=$3 q got want
  local tables=$(( (n + 3) / 4 )) indexes=$(( (n + 1) / 4 * 2 )) seeded=$(( n / 4 ))
  local ledger active="SELECT 2"
  ledger=$(ledger_table "$tool")
  [ "$seeded" -gt 0 ] && active="SELECT count(*) FROM t$seeded WHERE status = 'active'"
  case $engine in
    pg) q="SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+\$')
             || ' ' || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname ~ '^t[0-9]+_' AND indexname !~ '_pkey$')
             || ' ' || ($active) || ' ' || (SELECT count(*) FROM $ledger)"
        got=$($PSQL -d "$PGDB" -At -c "$q") ;;
    sqlite)
        got=$(sqlite3 "$SQLITE_DB" "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 't[0-9]*')
             || ' ' || (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name GLOB 't[0-9]*_*')
             || ' ' || ($active) || ' ' || (SELECT count(*) FROM $ledger)") ;;
  esac
  want="$tables $indexes 2 $n"   # tables, indexes, 'active' seed rows in the last seeded table, ledger rows
  [ "$got" = "$want" ] || die "verify $tool/$engine N=$n: got '$got', want '$want' (tables indexes active-rows ledger-rows)"
  echo "verified $tool/$engine N=$n: $tables tables, $indexes indexes, $n ledger rows" >>"$OUT/verify.log"
}

hf() { # hf NAME JSON [hyperfine options...] -- COMMAND
  local name=$1 json=$2; shift 2
  hyperfine --style basic --export-json "$OUT/json/$json.json" -n "$name" "$@"
}

# --- the measurements --------------------------------------------------------------------
for n in $NS; do
  M=$WORK/mig-$n
  python3 "$BENCH_DIR/gen-migrations.py" "$n" "$M" >&2
  "$STRATA" --locations "$M/strata" hash >/dev/null || die "strata hash failed in $M/strata"
  for engine in $ENGINES; do
    use_db ""
    reset=$(reset_cmd "$engine")
    # migrate: RUNS rounds, each timing every tool once, in turn. The machine's disk and CPU
    # drift over minutes here; interleaving makes the drift hit every tool alike (timing all
    # runs of one tool, then all of the next, once showed the floor 1.4x faster than an
    # interleaved measurement of the same binaries did).
    for round in $(seq "$RUNS"); do
      for tool in $TOOLS; do
        c=$(cmd "$tool" "$engine" "$M") || continue   # e.g. node-pg-migrate has no SQLite
        say "$tool/$engine N=$n migrate, round $round/$RUNS"
        hf "$tool/$engine migrate N=$n" "parts/$n-$engine-migrate-$tool-r$round" \
          --runs 1 --prepare "$reset" "$c" >/dev/null
        verify "$tool" "$engine" "$n"
      done
    done
    sh -c "$reset"
    # no-op: every tool's own database with all N applied (untimed), then NOOP_RUNS rounds,
    # each timing every tool once (after one untimed warm-up run), in turn. strata-cold is
    # strata's no-op without its stat cache (every file read and hashed, as on the first run of
    # a fresh checkout), on strata's database.
    noop_tools=""
    for tool in $TOOLS; do
      cmd "$tool" "$engine" "$M" >/dev/null || continue
      python3 "$BENCH_DIR/summarize.py" --merge "$OUT/json/$n-$engine-migrate-$tool.json" \
        "$OUT"/json/parts/"$n-$engine-migrate-$tool"-r*.json
      use_db "$tool"
      c=$(cmd "$tool" "$engine" "$M")
      sh -c "$(reset_cmd "$engine")" && sh -c "$c" >/dev/null || die "$tool/$engine N=$n: migrate failed"
      verify "$tool" "$engine" "$n"
      noop_tools="$noop_tools $tool"
      [ "$tool" = strata ] && noop_tools="$noop_tools strata-cold"
    done
    for round in $(seq "$NOOP_RUNS"); do
      say "$engine N=$n no-op, round $round/$NOOP_RUNS"
      for tool in $noop_tools; do
        if [ "$tool" = strata-cold ]; then
          use_db strata
          c="STRATA_CACHE_DIR= $(noop_cmd strata "$engine" "$M")"
        else
          use_db "$tool"
          c=$(noop_cmd "$tool" "$engine" "$M")
        fi
        hf "$tool/$engine no-op N=$n" "parts/$n-$engine-noop-$tool-r$round" \
          --warmup 1 --runs 1 "$c" >/dev/null
      done
    done
    for tool in $noop_tools; do
      python3 "$BENCH_DIR/summarize.py" --merge "$OUT/json/$n-$engine-noop-$tool.json" \
        "$OUT"/json/parts/"$n-$engine-noop-$tool"-r*.json
      [ "$tool" = strata-cold ] && continue
      use_db "$tool"
      verify "$tool" "$engine" "$n"
      sh -c "$(reset_cmd "$engine")"
    done
  done
done

echo "load_average_at_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
python3 "$BENCH_DIR/summarize.py" "$OUT" >"$OUT/summary.md"
cat "$OUT/summary.md"
say "results in $OUT"
