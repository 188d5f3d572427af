#!/bin/sh
# `strata identifiers digest` beside `SELECT count(DISTINCT id)` on the same column (issue 21:
# within 2x), and the before/after digests' cost on a backfill of the same table (under 5 %),
# in a private PostgreSQL cluster started here (initdb + pg_ctl in a temporary directory, a free
# loopback port) and always stopped.
# Usage: bench/identifiers_digest.sh path/to/strata [N ids, default 5000000] [backfill rows,
# default 1000000]   Results: docs/PERFORMANCE.md ("Identifier digests"). REF_UNIQUE=0: the
# backfilled table's identifier without its unique constraint (`identifiers digest` then counts
# duplicates with a sort; the run's guard does not: it counts them only when the ids changed). ROUNDS, STRATA_AB: see the backfill below.
# SHARED_BUFFERS=1GB: the cluster's shared_buffers (default 128MB, initdb's). The guard reads a
# table of at most a quarter of it in one scan (the before digest and set together, by TID
# ranges); a larger one in two sequential scans (identifiers/live.h). The backfilled table is
# about 150 MB after the first rounds: 1GB takes the one-scan path, the default the other.
set -eu
STRATA=$(realpath "$1")
N=${2:-5000000}
B=${3:-1000000}
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib/cluster.sh"
. "$BENCH/lib/stats.sh"
cluster_start strata-bench-ids ${SHARED_BUFFERS:+"shared_buffers = $SHARED_BUFFERS"}
BIN=$PGBIN
DIR=$CLUSTER_DIR
URL="$CLUSTER_URL/postgres"
PSQL="$BIN/psql -q -X -v ON_ERROR_STOP=1 $URL"
$PSQL -c "CREATE TABLE ids (n bigint, u uuid)" \
      -c "INSERT INTO ids SELECT g, md5(g::text)::uuid FROM generate_series(1, $N) g" \
      -c "CREATE TABLE job (id bigint PRIMARY KEY, ref text NOT NULL $( [ "${REF_UNIQUE:-1}" = 1 ] && echo UNIQUE ), note text)" \
      -c "INSERT INTO job SELECT g, 'R-' || g, NULL FROM generate_series(1, $B) g" \
      -c "VACUUM ANALYZE"
mkdir -p "$DIR/p/db/backfill"
cd "$DIR/p"
cat > db/ids.toml <<TOML
[[identifier]]
name = "n"
table = "ids"
column = "n"
format = "integer"

[[identifier]]
name = "u"
table = "ids"
column = "u"
format = "uuid"

[[identifier]]
name = "ref"
table = "job"
column = "ref"
format = { prefix = "R-" }
TOML
# SET_EXPR: the job's `set` (default note = 'x', the cheapest backfill there is; e.g.
# SET_EXPR="note = md5(ref)" for one that computes its value). No double quotes in it.
printf 'table = "job"\nkey = "id"\nwhere = "note IS NULL"\nset = "%s"\n[chunk]\nsize = 10000\n' "${SET_EXPR:-note = 'x'}" > db/backfill/fill.toml
echo "ids: $N"
for col in n u; do
  floor=$(best 3 $PSQL -c "SELECT count(DISTINCT $col) FROM ids")
  printf '[identifiers]\nfile = "db/ids.toml"\n' > strata.toml
  d=$(best 3 "$STRATA" --url "$URL" identifiers digest "$col")
  rss=$( { /usr/bin/time -f %M "$STRATA" --url "$URL" identifiers digest "$col" >/dev/null; } 2>&1 | tail -1)
  echo "column $col: count(DISTINCT) ${floor} ms, strata identifiers digest ${d} ms ($(ratio "$d" "$floor")x), client max RSS ${rss} kB"
done
# The backfill of B rows with the contract (before/after digests) and without it.
run_backfill() {  # $1: identifiers file or "none"; prints the ms of one fresh run, then the
  # ms of its chunk loop (the JSON's elapsed_ms): the rest is the process's own start, the
  # job's preparation and final verification, and the guard's serial part.
  $PSQL -c "UPDATE job SET note = NULL" -c "DELETE FROM strata_backfill_job" -c "VACUUM job" >/dev/null 2>&1 || \
    $PSQL -c "UPDATE job SET note = NULL" -c "VACUUM job" >/dev/null
  printf '[identifiers]\nfile = "%s"\n' "$1" > strata.toml
  s=$(date +%s%N); rc=0; "$STRATA" --json --url "$URL" backfill run fill --restart >"$DIR/run.json" 2>"$DIR/run.log" || rc=$?
  e=$(date +%s%N)
  [ "$rc" = 0 ] || { echo "backfill run failed (exit $rc):" >&2; cat "$DIR/run.json" "$DIR/run.log" >&2; exit 1; }
  echo $(( (e - s) / 1000000 )) "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["elapsed_ms"])' "$DIR/run.json" 2>/dev/null || echo 0)"
}
# ROUNDS rounds (default 3); in each, every binary runs once without and once with the contract.
# STRATA_AB=path/to/another/strata: that binary too, interleaved round by round with the first
# (an A/B comparison that a shared machine's load drifts affect alike).
BINS="$STRATA${STRATA_AB:+ $(realpath "${STRATA_AB:-.}")}"
: > "$DIR/times"
r=0
while [ "$r" -lt "${ROUNDS:-3}" ]; do
  r=$((r + 1))
  for bin in $BINS; do
    STRATA=$bin
    echo "$bin $r without $(run_backfill db/none.toml)" >> "$DIR/times"
    echo "$bin $r with $(run_backfill db/ids.toml)" >> "$DIR/times"
  done
done
python3 - "$DIR/times" "$B" "${REF_UNIQUE:-1}" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    b, r, kind, ms, loop = line.split()
    runs.setdefault(b, {}).setdefault(int(r), {})[kind] = (int(ms), int(loop))
med = statistics.median
res = {}
for b, rounds in runs.items():
    wo = [x["without"][0] for x in rounds.values()]
    wi = [x["with"][0] for x in rounds.values()]
    paired = [(x["with"][0] - x["without"][0]) * 100 / x["without"][0] for x in rounds.values()]
    # Outside the chunk loop: with minus without is the guard's serial part (its connection,
    # the snapshot, waiting for the before phase, the after digest, the records).
    out_wo = [x["without"][0] - x["without"][1] for x in rounds.values()]
    out_wi = [x["with"][0] - x["with"][1] for x in rounds.values()]
    loop_wo = [x["without"][1] for x in rounds.values()]
    loop_wi = [x["with"][1] for x in rounds.values()]
    res[b] = (min(wo), min(wi))
    print(f"backfill of {sys.argv[2]} rows (ref unique: {sys.argv[3]}), {b}:\n"
          f"  without contract {min(wo)} ms, with before/after digests {min(wi)} ms "
          f"({(min(wi) - min(wo)) * 100 / min(wo):+.1f} % best of {len(wo)}); median of the "
          f"rounds' own overheads {med(paired):+.1f} %; rounds (without/with): "
          + ", ".join(f"{x['without'][0]}/{x['with'][0]}" for x in rounds.values()) +
          f"\n  outside the chunk loop, median: without {med(out_wo):.0f} ms, with "
          f"{med(out_wi):.0f} ms: the guard's serial part {med(out_wi) - med(out_wo):.0f} ms = "
          f"{(med(out_wi) - med(out_wo)) * 100 / min(wo):.1f} % of the best backfill without"
          f"\n  the chunk loop, median: without {med(loop_wo):.0f} ms, with {med(loop_wi):.0f} ms "
          f"({(med(loop_wi) - med(loop_wo)) * 100 / med(loop_wo):+.1f} %: the before phase beside it)")
if len(res) == 2:
    (a, ra), (b, rb) = res.items()
    print(f"best with contract, B/A: {rb[1] / ra[1]:.3f}; best without: {rb[0] / ra[0]:.3f}")
PY
# The guard's own statements on the backfilled table, each best of 5 in a session of its own
# (less noisy on a shared machine than the difference of two backfills). Beside the backfill
# (read in a snapshot of the guard's own, identifiers/record.h, so they cost it only their CPU;
# no parallel workers there): for a table within a quarter of shared_buffers, the before
# digest and set in one statement (TID ranges, the ids kept as text[] per 64 blocks); for a
# larger one, the before digest (no duplicate count: a unique index says 0, otherwise they are
# counted only after a mismatch) and the before set copied row by row. After it, the after
# digest of an unchanged set, the one statement the backfill waits for (parallel workers
# allowed). The SQL is what src/identifiers/live.cc and record.cc run.
q() { b=999999
  for _ in 1 2 3 4 5; do
    ms=$($PSQL -At -c "SET max_parallel_workers_per_gather = ${2:-0}" -c 'SET jit = off' -c '\timing on' -c "$1" 2>&1 | grep -o 'Time: [0-9.]*' | tail -1 | awk '{printf "%d", $2}')
    [ "$ms" -lt "$b" ] && b=$ms
  done
  echo "$b"; }
digest="SELECT count(*), count(*) - count(\"ref\"), 0, count(*) FILTER (WHERE NOT ((\"ref\"::text COLLATE \"C\" LIKE 'R-%'))), sum(hashtextextended(\"ref\"::text, 0)) FROM \"job\""
snap="CREATE TEMP TABLE strata_idsnap_0 AS SELECT \"ref\"::text AS id FROM \"job\" WHERE NOT (\"ref\" IS NULL)"
kept="CREATE TEMP TABLE strata_idsnap_0 (n bigint, nulls bigint, bad bigint, h numeric, ids text[] COMPRESSION lz4); WITH s AS (INSERT INTO strata_idsnap_0 SELECT x.* FROM (SELECT pg_relation_size('\"job\"'::regclass) / current_setting('block_size')::bigint / 64 AS last) k, generate_series(0, k.last) b, LATERAL (SELECT count(*), count(*) - count(\"ref\"::text), count(*) FILTER (WHERE NOT (\"ref\" IS NULL) AND NOT ((\"ref\"::text COLLATE \"C\" LIKE 'R-%'))), sum(hashtextextended(\"ref\"::text, 0)), array_agg(\"ref\"::text) FROM \"job\" WHERE ctid >= format('(%s,0)', b * 64)::tid AND ctid < CASE WHEN b = k.last THEN '(4294967295,0)'::tid ELSE format('(%s,0)', (b + 1) * 64)::tid END) x RETURNING n, nulls, bad, h) SELECT coalesce(sum(n), 0), coalesce(sum(nulls), 0), coalesce(sum(bad), 0), sum(h) FROM s"
after="SELECT count(*), count(*) - count(\"ref\"), 0, 0, sum(hashtextextended(\"ref\"::text, 0)) FROM \"job\""
fits=$($PSQL -At -c "SELECT pg_relation_size('job') <= (SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers') * current_setting('block_size')::bigint / 4")
size=$($PSQL -At -c "SELECT pg_size_pretty(pg_relation_size('job')) || ', shared_buffers ' || current_setting('shared_buffers')")
before_digest=$(q "$digest"); before_snap=$(q "$snap"); before_kept=$(q "$kept")
after_ms=$(q "$after" 2)
if [ "$fits" = t ]; then used="one scan (the guard's path here)"; else used="two scans (the guard's path here)"; fi
echo "guard statements (job: $size): beside the backfill, one scan: before digest and set ${before_kept} ms; two scans: before digest ${before_digest} ms + before set copied ${before_snap} ms; guard uses: $used; after it: after digest ${after_ms} ms (hinted pages, 2 parallel workers allowed)"
