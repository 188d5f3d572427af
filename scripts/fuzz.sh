#!/usr/bin/env bash
# Fuzzes strata's parsers with libFuzzer (docs/fuzzing.md).
#
#   scripts/fuzz.sh <seconds> [target...]     e.g. scripts/fuzz.sh 60, scripts/fuzz.sh 300 lint
#
# Builds the fuzz targets (tests/fuzz/) with clang, AddressSanitizer and UBSan in build-fuzz/
# (only the targets and the libraries they link), then runs each target for <seconds> on a copy
# of its seed corpus (tests/fuzz/corpus/<target>/, plus matching files of ../shared/corpora when
# it exists) and prints executions and crashes per target. Crashing inputs are left in
# build-fuzz/fuzz-runs/<target>/artifacts/. Exit status 1 when any target found a crash.
#
# Environment: STRATA_FUZZ_JOBS (build parallelism, default 2), STRATA_FUZZ_MAX_LEN (default
# 32768), STRATA_CORPORA (default ../shared/corpora beside the checkout),
# STRATA_FUZZ_KEEP_GOING=1 (libFuzzer's fork mode: a target goes on after a crash and collects
# every crashing input, at some cost in speed; by default a target stops at its first crash),
# STRATA_FUZZ_NO_BUILD=1 (run the targets already built).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
all_targets=(migration_name directives intent checks split_postgres split_sqlite strata_toml
             backfill_job seed_manifest seed_csv correction releases evidence_package lint)

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh <seconds> [target...]" >&2
  echo "targets: ${all_targets[*]}" >&2
  exit 2
fi
seconds=$1
shift
targets=("$@")
(( ${#targets[@]} )) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "unknown fuzz target: $t (targets: ${all_targets[*]})" >&2; exit 2; }
done

# clang and its libFuzzer runtime are needed here only, not for the normal build and tests.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
  > "$probe/p.cc"
if ! command -v clang++ > /dev/null ||
   ! clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cc" -o "$probe/p" 2> "$probe/err"; then
  echo "scripts/fuzz.sh needs clang with its libFuzzer runtime:" >&2
  echo "  apt-get install clang libclang-rt-14-dev    (Debian 12)" >&2
  [[ -s "$probe/err" ]] && sed 's/^/  /' "$probe/err" >&2
  exit 2
fi

build="$root/build-fuzz"
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [[ "${STRATA_FUZZ_NO_BUILD:-0}" != 1 ]]; then
  cmake -S "$root" -B "$build" -G Ninja -C "$root/tests/fuzz/fuzz-cache.cmake" "${launcher[@]}" \
    > /dev/null
  cmake --build "$build" -j"${STRATA_FUZZ_JOBS:-2}" --target "${targets[@]/%/_fuzz}"
fi

corpora=${STRATA_CORPORA:-$root/../shared/corpora}
# extra_inputs <target> <dir>: copies the files of ../shared/corpora that suit the target.
extra_inputs() {
  local t=$1 dir=$2
  [[ -d "$corpora" ]] || return 0
  local pg_histories=("$corpora/kestra" "$corpora/crates-io" "$corpora/temporal" "$corpora/synapse")
  local files=()
  case "$t" in
    split_postgres)
      mapfile -t files < <(find "$corpora/pg15-regress" "$corpora/atlas-lex" "${pg_histories[@]}" \
        "$corpora/ory-kratos" -type f \( -name '*.sql' -o -name '*.sql.postgres' \) \
        ! -name '*sqlite*' ! -name '*mysql*' ! -name '*cockroach*' 2> /dev/null) ;;
    split_sqlite)
      mapfile -t files < <(find "$corpora/ory-kratos" "$corpora/synapse" -type f \
        \( -name '*.sqlite3.*.sql' -o -name '*.sql.sqlite' -o -name '*.sql' \) \
        ! -name '*.postgres*' ! -name '*mysql*' ! -name '*cockroach*' 2> /dev/null) ;;
    lint | directives | intent | checks)
      mapfile -t files < <(find "${pg_histories[@]}" -type f \
        \( -name '*.sql' -o -name '*.sql.postgres' \) 2> /dev/null) ;;
    strata_toml | backfill_job | correction | releases | seed_manifest)
      mapfile -t files < <(find "$corpora/crates-io" -type f -name '*.toml' 2> /dev/null) ;;
    migration_name)
      # One input per migration directory: its file names, as discovery sees them.
      local d i=0
      while IFS= read -r d; do
        ls "$d" > "$dir/corpora-names-$i.txt"
        i=$((i + 1))
      done < <(find "$corpora" -type f -name '*.sql' -printf '%h\n' 2> /dev/null | sort -u)
      return 0 ;;
  esac
  local f i=0
  for f in "${files[@]}"; do
    cp "$f" "$dir/corpora-$i-$(basename "$f")"
    i=$((i + 1))
  done
}

runs="$build/fuzz-runs"
failed=0
summary=()
for t in "${targets[@]}"; do
  work="$runs/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  # A scratch copy: what libFuzzer adds to its corpus never reaches the repository.
  cp -R "$root/tests/fuzz/corpus/$t/." "$work/corpus/"
  extra_inputs "$t" "$work/corpus"
  seeds=$(find "$work/corpus" -type f | wc -l)
  mode=()
  if [[ "${STRATA_FUZZ_KEEP_GOING:-0}" == 1 ]]; then
    mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  echo "== $t: ${seconds}s, $seeds seed inputs"
  set +e
  (cd "$work" && ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp} \
    "$build/tests/fuzz/${t}_fuzz" "${mode[@]}" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len="${STRATA_FUZZ_MAX_LEN:-32768}" -print_final_stats=1 -print_funcs=0 \
      -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1)
  rc=$?
  set -e
  execs=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$work/log" | awk '{s += $2} END {print s + 0}' || true)
  if [[ "$execs" == 0 ]]; then
    # fork mode: the last status line holds the total
    execs=$( (grep -oE '^#[0-9]+' "$work/log" || true) | tail -1 | tr -d '#')
  fi
  crashes=$(find "$work/artifacts" -type f | wc -l)
  if (( crashes > 0 || rc != 0 )); then
    failed=1
    (( crashes > 0 )) || crashes="rc=$rc"
  fi
  summary+=("$(printf '%-18s %12s %8s' "$t" "${execs:-?}" "$crashes")")
  if (( crashes > 0 )); then find "$work/artifacts" -type f -printf '   %p\n'; fi
done

echo
printf '%-18s %12s %8s\n' target executions crashes
printf '%s\n' "${summary[@]}"
echo "logs and artifacts: $runs/<target>/"
exit $failed
