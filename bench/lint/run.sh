#!/usr/bin/env bash
# bench/lint/run.sh [STATEMENTS] [RUNS]
# Lint throughput, single thread, strata next to squawk on the same files in one run:
#   1. a generated file of STATEMENTS (default 100000) mixed migration DDL/DML statements
#      (gen.py: a 20-statement cycle of safe and risky forms, like the bench-kit corpus);
#   2. the same statements as files of 10;
#   3. the real migration histories in ../shared/corpora (kratos, kestra, temporal, synapse);
#   4. 4,000 of the statements on one line (every finding on the same long line).
# Prints a Markdown table (statements/s and MB/s, median of RUNS, default 5) to stdout and to
# bench/lint/results.md. squawk comes from npm (squawk-cli ships its native binary in
# @squawk-cli/linux-x64); it is installed into bench/lint/.peers on first use and timed as the
# native binary with its gcc reporter (its default tty reporter is superlinear in file size).
set -eu
cd "$(dirname "$0")"
HERE=$PWD
ROOT=$(cd ../.. && pwd)
S=${1:-100000}
RUNS=${2:-5}
STRATA=${STRATA:-$ROOT/build/cli/strata}
[ -x "$STRATA" ] || STRATA=$ROOT/build-lint/cli/strata
CORPORA=${CORPORA:-$ROOT/../shared/corpora}
DATA=$HERE/.data
mkdir -p "$DATA"

SQ=$HERE/.peers/node_modules/@squawk-cli/linux-x64/bin/squawk
# bench/package.json lists squawk-cli too: reuse bench/node_modules when `npm ci` ran there.
[ -x "$SQ" ] || [ ! -x "$HERE/../node_modules/@squawk-cli/linux-x64/bin/squawk" ] ||
  SQ=$HERE/../node_modules/@squawk-cli/linux-x64/bin/squawk
if [ ! -x "$SQ" ] && command -v npm >/dev/null; then
  (mkdir -p .peers && cd .peers && npm install --silent --no-audit --no-fund squawk-cli >/dev/null 2>&1) || true
fi
[ -x "$SQ" ] || SQ=""

python3 gen.py "$S" "$DATA"
# Real corpora: the verified PostgreSQL apply sets, as file lists.
list() { grep -v '^#' "$CORPORA/$1/$2" | cut -f1 | sed "s|^|$CORPORA/$1/|"; }
{ list ory-kratos APPLY-ORDER.txt; list kestra APPLY-ORDER.txt; list temporal APPLY-ORDER-temporal-db.txt;
  list temporal APPLY-ORDER-visibility-db.txt; list synapse APPLY-ORDER.txt; } >"$DATA/real.list"
find "$CORPORA/synapse/synapse/storage/schema" -name '*.sql' -o -name '*.sql.postgres' | sort >>"$DATA/real.list"

# Single thread for both tools: squawk lints files in parallel on every core, so each timed
# command is pinned to one CPU (taskset) when available.
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

# median wall seconds of RUNS runs of "$@" (after one warm-up)
median() {
  "$@" >/dev/null 2>&1 || true
  local ts=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N); "${PIN[@]}" "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    ts+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${ts[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

row() {  # name tool bytes statements seconds
  awk -v n="$1" -v t="$2" -v b="$3" -v s="$4" -v sec="$5" 'BEGIN {
    printf "| %s | %s | %d | %d | %.3f | %.0f | %.2f |\n", n, t, b, s, sec, s / sec, b / sec / 1e6 }'
}

count_statements() {  # strata's own count (parse once, JSON)
  "$STRATA" lint --fail-on never --format json "$@" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["statements"])'
}

OUT=$HERE/results.md
{
  echo "Machine: $(nproc) CPUs, $(uname -r); strata $("$STRATA" --version 2>/dev/null); $(if [ -n "$SQ" ]; then "$SQ" --version 2>/dev/null; else echo "squawk not installed"; fi); median of $RUNS runs, single thread."
  echo
  echo "| input | tool | bytes | statements | seconds | statements/s | MB/s |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  for input in one files real oneline; do
    case $input in
      one) args=("$DATA/one-$S.sql"); name="one file, $S statements" ;;
      files) args=("$DATA/files-$S"); name="$((S / 10)) files x 10 statements" ;;
      real) mapfile -t args <"$DATA/real.list"; name="real corpora, ${#args[@]} files" ;;
      oneline) args=("$DATA/oneline-4000.sql"); name="one line, 4000 statements" ;;
    esac
    if [ "$input" = files ]; then mapfile -t args < <(find "$DATA/files-$S" -name '*.sql' | sort); fi
    bytes=$(cat "${args[@]}" | wc -c)
    stmts=$(count_statements "${args[@]}")
    t=$(median "$STRATA" lint --fail-on never --format json "${args[@]}")
    row "$name" "strata lint (json)" "$bytes" "$stmts" "$t"
    t=$(median "$STRATA" lint --fail-on never "${args[@]}")
    row "$name" "strata lint (text)" "$bytes" "$stmts" "$t"
    if [ -n "$SQ" ]; then
      t=$(median "$SQ" --reporter gcc "${args[@]}")
      row "$name" "squawk (gcc)" "$bytes" "$stmts" "$t"
    fi
  done
} | tee "$OUT"
