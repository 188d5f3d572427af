# bench/lib/stats.sh — timing and summary helpers of the bench scripts. Sourced (POSIX sh).
#
#   ms CMD...            wall-clock ms of one run of CMD (its output discarded); a CMD that fails
#                        stops the script, after printing the command and its output again
#   best N CMD...        the least of N `ms CMD...`, each after `eval "$PREP"` when PREP is set
#   median X...          the median of the numbers, as Python prints a float (512.0, 1.23)
#   median_int X...      the same, rounded to an integer (512)
#   ratio A B            A / B with two decimals (1.23)
#   loadavg              the 1-, 5- and 15-minute load averages ("0.52 0.71 0.80")
#
# A benchmark that compares commands runs them in interleaved rounds (round 1 of each, then
# round 2, ...), so that a load which comes and goes on a shared machine hits them alike, prints
# each round with its load average, and summarises with median (or best, for a run that needs a
# preparation each time).

ms() {
  ms_s_=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; "$@" >&2 || true; exit 1; }
  ms_e_=$(date +%s%N)
  echo $(((ms_e_ - ms_s_) / 1000000))
}

best() {
  best_n_=$1
  shift
  best_b_=""
  best_i_=0
  while [ "$best_i_" -lt "$best_n_" ]; do
    best_i_=$((best_i_ + 1))
    if [ -n "${PREP:-}" ]; then eval "$PREP"; fi
    best_t_=$(ms "$@") || exit 1
    if [ -z "$best_b_" ] || [ "$best_t_" -lt "$best_b_" ]; then best_b_=$best_t_; fi
  done
  echo "$best_b_"
}

median() {
  python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"
}

median_int() {
  python3 -c 'import statistics, sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))' "$@"
}

ratio() {
  python3 -c "print(f'{$1/$2:.2f}')"
}

loadavg() {
  cut -d' ' -f1-3 /proc/loadavg
}
