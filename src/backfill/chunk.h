// The SQL of one keyset chunk. A chunk is the next `limit` candidate keys after the checkpoint
// (WHERE <where> AND key > $last ORDER BY key LIMIT n: an index range scan, never OFFSET), of
// which only the last (the chunk's inclusive upper bound) and their number leave the server;
// then one UPDATE of the key range (last, upper] that re-checks the candidate predicate, so rows
// the application changed meanwhile are left alone and rows it added inside the range are
// included (a delete job: one DELETE of the range, same re-check). Both dialects; parameters are
// $n. Pure; thread-safe.
#pragma once

#include "db/connection.h"

#include <string>
#include <vector>

#include "backfill/job.h"

namespace strata::backfill {

struct ChunkBounds {
  bool has_partition = false;
  db::Value partition;           // nullopt = the NULL partition
  std::vector<db::Value> lower;  // exclusive; empty = from the start
  std::vector<db::Value> upper;  // inclusive; required for the UPDATE
};

struct BuiltSql {
  std::string sql;
  std::vector<db::Value> params;
};

// SELECT <key> FROM <table> WHERE ... ORDER BY <key> [LIMIT limit]: the candidate keys above
// `b.lower` (and up to `b.upper` when given); no LIMIT when limit <= 0.
BuiltSql SelectKeys(const JobSpec& job, const ChunkBounds& b, std::int64_t limit);
// The chunk's upper bound: one row, the key columns of the limit-th candidate above `b.lower`
// (in key order) followed by `limit` or, when fewer are left, of the last one followed by their
// number; no row when none is left. Found on the server: the other keys are not shipped.
BuiltSql ChunkUpperBound(const JobSpec& job, const ChunkBounds& b, std::int64_t limit);
// A chunk of up to `parts` x `limit` candidates above `b.lower`, cut every `limit` keys for as
// many transactions side by side: one row per range, in key order, the key columns of its last
// (inclusive) candidate followed by that candidate's position (limit, 2 x limit, ..., or the
// number of candidates when fewer are left); no row when none is left. The keys are walked
// once, along the key's index as ChunkUpperBound; only the cut points leave the server.
BuiltSql ChunkSplits(const JobSpec& job, const ChunkBounds& b, std::int64_t limit, int parts);
// The cuts of up to `parts` full ranges of `limit` candidates above `b.lower`: one row per
// range, in key order, the key columns of its last (inclusive) candidate followed by its
// position (limit, 2 x limit, ...); fewer rows (none) when fewer full ranges are left — the rest,
// under `limit` candidates, is ChunkUpperBound's. PostgreSQL: a chain of keyset steps (each the
// `limit`-th candidate after the previous cut, OFFSET along the key's index), without
// ChunkSplits' window functions, whose buffering of every key walked costs 3-4x the walk itself
// (30 ms against 8 ms for 4 x 5,000 keys on 1,000,000 rows).
BuiltSql ChunkCuts(const JobSpec& job, const ChunkBounds& b, std::int64_t limit, int parts);
// `bound` as the statements that run it so that it walks the key's index from the checkpoint,
// never scanning the table: on PostgreSQL the planner is told so for that statement only
// (enable_seqscan, enable_bitmapscan, enable_sort off, no parallel workers; transaction-local,
// restored after it), since it cannot know that the candidates lie above the checkpoint: a
// column a change just added has no statistics yet, and with statistics the candidates look
// rare once most rows are done; either way it prefers a scan of the whole table and a sort,
// per chunk (110 ms of a 5000-row chunk's 200 ms on 1,000,000 rows, against 9 ms along the
// index). The bound's result is at index `BoundAt(pg)`.
std::vector<db::Statement> WalkKeyIndex(const BuiltSql& bound, bool pg);
inline size_t BoundAt(bool pg) { return pg ? 1 : 0; }
// The chunk's change of the key range (lower, upper], re-checking the candidate predicate:
// UPDATE <table> SET ... [FROM ...] WHERE (<where>) [AND (<join>)] AND key in (lower, upper], or
// for a delete job DELETE FROM <table> WHERE (<where>) AND key in (lower, upper].
BuiltSql ChangeRange(const JobSpec& job, const ChunkBounds& b);
// SELECT count(*) of candidates (optionally of one partition / above a lower bound).
BuiltSql CountCandidates(const JobSpec& job, const ChunkBounds& b);
// SELECT DISTINCT partition values that still have candidates.
std::string DistinctPartitions(const JobSpec& job);
// `sql` with $n replaced by the quoted parameter values, for humans (plan output).
std::string Inline(const BuiltSql& b);

// The unqualified table name (last dotted component), used to qualify key columns.
std::string TableAlias(const JobSpec& job);

}  // namespace strata::backfill
