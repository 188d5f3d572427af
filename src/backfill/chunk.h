// The SQL of one keyset chunk. A chunk is the next `limit` candidate keys after the checkpoint
// (WHERE <where> AND key > $last ORDER BY key LIMIT n: an index range scan, never OFFSET), of
// which only the last (the chunk's inclusive upper bound) and their number leave the server;
// then one UPDATE of the key range (last, upper] that re-checks the candidate predicate, so rows
// the application changed meanwhile are left alone and rows it added inside the range are
// included. Both dialects; parameters are $n. Pure; thread-safe.
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
// UPDATE <table> SET ... [FROM ...] WHERE (<where>) [AND (<join>)] AND key in (lower, upper].
BuiltSql UpdateRange(const JobSpec& job, const ChunkBounds& b);
// SELECT count(*) of candidates (optionally of one partition / above a lower bound).
BuiltSql CountCandidates(const JobSpec& job, const ChunkBounds& b);
// SELECT DISTINCT partition values that still have candidates.
std::string DistinctPartitions(const JobSpec& job);
// `sql` with $n replaced by the quoted parameter values, for humans (plan output).
std::string Inline(const BuiltSql& b);

// The unqualified table name (last dotted component), used to qualify key columns.
std::string TableAlias(const JobSpec& job);

}  // namespace strata::backfill
