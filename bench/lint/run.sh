#!/usr/bin/env bash
# bench/lint/run.sh [STATEMENTS] [RUNS]
# Lint throughput, strata next to squawk on the same files in one run:
#   1. a generated file of STATEMENTS (default 100000) mixed migration DDL/DML statements
#      (gen.py: a 20-statement cycle of safe and risky forms, like the bench-kit corpus);
#   2. the same statements as files of 10;
#   3. the real migration histories in ../shared/corpora (kratos, kestra, temporal, synapse);
#   4. 4,000 of the statements on one line (every finding on the same long line).
# Each input is timed on one CPU (`taskset -c 0` for both tools) and, for 1 and 2, with every
# CPU allowed (squawk lints files in parallel; strata with its default --jobs, every CPU).
# Every output format of each tool: strata text, json, sarif and github; squawk gcc, json and
# gitlab. The commands of one input run interleaved, RUNS rounds (default 5) after a warm-up,
# so a load that comes and goes hits all of them alike; the table has the median wall time and
# the median CPU time (user + system), and the load average before and after. WARMUP=0 skips
# the warm-up round. INPUTS (default "one files real oneline") and MODES ("one all") pick the
# cells, e.g. INPUTS=files MODES=all for 10,000 files on every CPU only.
# ratio = squawk's time / strata's, against squawk's counterpart format (text and github vs
# gcc, json vs json, sarif vs gitlab) and against squawk's fastest format ("vs best").
# Prints a Markdown table to stdout and to bench/lint/results.md. squawk comes from npm
# (squawk-cli ships its native binary in @squawk-cli/linux-x64); bench/package.json lists it
# (`npm ci` in bench/), else it is installed into bench/lint/.peers on first use.
set -eu
cd "$(dirname "$0")"
HERE=$PWD
ROOT=$(cd ../.. && pwd)
. "$ROOT/bench/lib/stats.sh"   # median, loadavg
S=${1:-100000}
RUNS=${2:-5}
STRATA=${STRATA:-$ROOT/build/cli/strata}
[ -x "$STRATA" ] || STRATA=$ROOT/build-lint/cli/strata
CORPORA=${CORPORA:-$ROOT/../shared/corpora}
DATA=$HERE/.data
mkdir -p "$DATA"

SQ=$HERE/.peers/node_modules/@squawk-cli/linux-x64/bin/squawk
[ -x "$SQ" ] || [ ! -x "$HERE/../node_modules/@squawk-cli/linux-x64/bin/squawk" ] ||
  SQ=$HERE/../node_modules/@squawk-cli/linux-x64/bin/squawk
if [ ! -x "$SQ" ] && command -v npm >/dev/null; then
  # A package.json of its own, or npm installs into the nearest one up the tree (bench/).
  (mkdir -p .peers && cd .peers && { [ -f package.json ] || echo '{"private": true}' >package.json; } &&
    npm install --silent --no-audit --no-fund squawk-cli@2.66.0 >/dev/null 2>&1) || true
fi
[ -x "$SQ" ] || SQ=""

python3 gen.py "$S" "$DATA"
# Real corpora: the verified PostgreSQL apply sets, as file lists.
list() { grep -v '^#' "$CORPORA/$1/$2" | cut -f1 | sed "s|^|$CORPORA/$1/|"; }
{ list ory-kratos APPLY-ORDER.txt; list kestra APPLY-ORDER.txt; list temporal APPLY-ORDER-temporal-db.txt;
  list temporal APPLY-ORDER-visibility-db.txt; list synapse APPLY-ORDER.txt; } >"$DATA/real.list"
find "$CORPORA/synapse/synapse/storage/schema" -name '*.sql' -o -name '*.sql.postgres' | sort >>"$DATA/real.list"

NCPU=$(nproc)
ONE=()
command -v taskset >/dev/null && ONE=(taskset -c 0)

# run ONE_OR_ALL cmd...: prints "wall cpu" seconds of one run (output discarded).
run1() {
  local pin=$1
  shift
  local tf
  tf=$(mktemp)
  if [ "$pin" = one ]; then
    /usr/bin/time -f '%e %U %S' -o "$tf" "${ONE[@]}" "$@" >/dev/null 2>&1 || true
  else
    /usr/bin/time -f '%e %U %S' -o "$tf" "$@" >/dev/null 2>&1 || true
  fi
  tail -1 "$tf" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'
  rm -f "$tf"
}

count_statements() {  # strata's own count (parse once, JSON)
  "$STRATA" lint -j1 --fail-on never --format json "$@" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"]["statements"])'
}

OUT=$HERE/results.md
{
  echo "Machine: $NCPU CPUs, $(uname -r); strata $("$STRATA" --version 2>/dev/null); $(if [ -n "$SQ" ]; then "$SQ" --version 2>/dev/null; else echo "squawk not installed"; fi); median of $RUNS interleaved rounds."
  echo
  echo "| input | CPUs | tool | format | seconds (wall) | CPU seconds | statements/s | ratio (wall) | vs best (wall) | ratio (CPU) |"
  echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|"
  for input in ${INPUTS:-one files real oneline}; do
    case $input in
      one) args=("$DATA/one-$S.sql"); name="one file, $S statements"; modes="one all" ;;
      files) mapfile -t args < <(find "$DATA/files-$S" -name '*.sql' | sort)
        name="$((S / 10)) files x 10 statements"; modes="one all" ;;
      real) mapfile -t args <"$DATA/real.list"; name="real corpora, ${#args[@]} files"; modes="one" ;;
      oneline) args=("$DATA/oneline-4000.sql"); name="one line, 4000 statements"; modes="one" ;;
    esac
    stmts=$(count_statements "${args[@]}")
    for mode in $modes; do
      [[ " ${MODES:-one all} " == *" $mode "* ]] || continue
      cpus=$([ "$mode" = one ] && echo 1 || echo "$NCPU")
      # name|command; strata's formats, then squawk's.
      cmds=("strata|text|$STRATA lint --fail-on never"
        "strata|json|$STRATA lint --fail-on never --format json"
        "strata|sarif|$STRATA lint --fail-on never --format sarif"
        "strata|github|$STRATA lint --fail-on never --format github")
      [ -n "$SQ" ] && cmds+=("squawk|gcc|$SQ --reporter gcc" "squawk|json|$SQ --reporter json"
        "squawk|gitlab|$SQ --reporter gitlab")
      declare -A wall=() cpu=()
      load0=$(loadavg)
      if [ "${WARMUP:-1}" = 1 ]; then
        for c in "${cmds[@]}"; do
          IFS='|' read -r _ _ cmd <<<"$c"
          # shellcheck disable=SC2086
          run1 "$mode" $cmd "${args[@]}" >/dev/null
        done
      fi
      for _ in $(seq "$RUNS"); do
        for c in "${cmds[@]}"; do
          IFS='|' read -r tool fmt cmd <<<"$c"
          # shellcheck disable=SC2086
          read -r w u <<<"$(run1 "$mode" $cmd "${args[@]}")"
          wall[$tool.$fmt]+="$w "
          cpu[$tool.$fmt]+="$u "
        done
      done
      load1=$(loadavg)
      declare -A mw=() mc=()
      for k in "${!wall[@]}"; do
        # shellcheck disable=SC2086
        mw[$k]=$(median ${wall[$k]})
        # shellcheck disable=SC2086
        mc[$k]=$(median ${cpu[$k]})
      done
      best=""
      for f in gcc json gitlab; do
        [ -n "${mw[squawk.$f]:-}" ] || continue
        if [ -z "$best" ] || awk -v a="${mw[squawk.$f]}" -v b="$best" 'BEGIN {exit !(a < b)}'; then
          best=${mw[squawk.$f]}
        fi
      done
      for c in "${cmds[@]}"; do
        IFS='|' read -r tool fmt _ <<<"$c"
        k=$tool.$fmt
        peer=none
        case $tool.$fmt in strata.text | strata.github) peer=squawk.gcc ;; strata.json) peer=squawk.json ;;
          strata.sarif) peer=squawk.gitlab ;; esac
        awk -v n="$name" -v c="$cpus" -v t="$tool" -v f="$fmt" -v w="${mw[$k]}" -v u="${mc[$k]}" \
          -v s="$stmts" -v pw="${mw[$peer]:-}" -v pc="${mc[$peer]:-}" -v b="$best" -v st="$tool" 'BEGIN {
            r = (st == "strata" && pw != "") ? sprintf("%.2fx", pw / w) : "";
            rb = (st == "strata" && b != "") ? sprintf("%.2fx", b / w) : "";
            rc = (st == "strata" && pc != "") ? sprintf("%.2fx", pc / u) : "";
            printf "| %s | %s | %s | %s | %.3f | %.3f | %.0f | %s | %s | %s |\n", n, c, t, f, w, u, s / w, r, rb, rc }'
      done
      echo "| load average before/after: $load0 / $load1 | | | | | | | | | |"
      unset wall cpu mw mc
    done
  done
  echo
  echo "Memory (max RSS, one file, text, -j1): $(/usr/bin/time -f '%M' "$STRATA" lint -j1 --fail-on never "$DATA/one-$S.sql" 2>&1 >/dev/null | tail -1) KB for $(wc -c <"$DATA/one-$S.sql") bytes of SQL."
} | tee "$OUT"
