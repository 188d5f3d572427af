#include "backfill/chunk.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::backfill {

namespace {

std::string Cols(const JobSpec& job, bool desc = false) {
  std::string alias = TableAlias(job);
  std::string out;
  for (size_t i = 0; i < job.key.size(); ++i) {
    if (i) out += ", ";
    out += fmt::format("{}.{}{}", alias, job.key[i], desc ? " DESC" : "");
  }
  return out;
}

// `(t.a, t.b) <op> ($n, $n+1)` or `t.a <op> $n`; appends the values to params.
std::string Compare(const JobSpec& job, std::string_view op, const std::vector<db::Value>& vals,
                    std::vector<db::Value>& params) {
  std::string rhs;
  for (size_t i = 0; i < vals.size(); ++i) {
    params.push_back(vals[i]);
    if (i) rhs += ", ";
    rhs += fmt::format("${}", params.size());
  }
  if (job.key.size() == 1) return fmt::format("{} {} {}", Cols(job), op, rhs);
  return fmt::format("({}) {} ({})", Cols(job), op, rhs);
}

std::string PartitionCond(const JobSpec& job, const ChunkBounds& b,
                          std::vector<db::Value>& params) {
  if (!b.has_partition) return "";
  std::string col = fmt::format("{}.{}", TableAlias(job), job.partition_by);
  if (!b.partition) return fmt::format(" AND {} IS NULL", col);
  params.push_back(b.partition);
  return fmt::format(" AND {} = ${}", col, params.size());
}

}  // namespace

std::string TableAlias(const JobSpec& job) {
  auto dot = job.table.rfind('.');
  return dot == std::string::npos ? job.table : job.table.substr(dot + 1);
}

BuiltSql SelectKeys(const JobSpec& job, const ChunkBounds& b, std::int64_t limit) {
  BuiltSql out;
  std::string sql = fmt::format("SELECT {} FROM {} WHERE ({})", Cols(job), job.table, job.where);
  sql += PartitionCond(job, b, out.params);
  if (!b.lower.empty()) sql += " AND " + Compare(job, ">", b.lower, out.params);
  if (!b.upper.empty()) sql += " AND " + Compare(job, "<=", b.upper, out.params);
  sql += fmt::format(" ORDER BY {}", Cols(job));
  if (limit > 0) sql += fmt::format(" LIMIT {}", limit);
  out.sql = std::move(sql);
  return out;
}

BuiltSql ChunkUpperBound(const JobSpec& job, const ChunkBounds& b, std::int64_t limit) {
  limit = std::max<std::int64_t>(limit, 1);
  BuiltSql out;
  // Pieces are appended in text order: each condition numbers its parameters as it goes.
  auto candidates = [&] {
    std::string s = fmt::format(" FROM {} WHERE ({})", job.table, job.where);
    s += PartitionCond(job, b, out.params);
    if (!b.lower.empty()) s += " AND " + Compare(job, ">", b.lower, out.params);
    return s;
  };
  // A full chunk: the limit-th candidate in key order, skipped to on the server along SelectKeys'
  // index range scan.
  std::string sql = fmt::format("SELECT * FROM (SELECT {}, {} AS strata_n", Cols(job), limit);
  sql += candidates();
  sql += fmt::format(" ORDER BY {} LIMIT 1 OFFSET {}) AS strata_full", Cols(job), limit - 1);
  // The last chunk, fewer candidates than the limit: the last of them and their number (counted
  // along the same index, at most `limit`). The outer LIMIT 1 stops before this part when the
  // first one has its row, and the two parts never both have one.
  sql += fmt::format(" UNION ALL SELECT * FROM (SELECT {}, (SELECT count(*) FROM (SELECT 1",
                     Cols(job));
  sql += candidates();
  sql += fmt::format(" ORDER BY {} LIMIT {}) AS strata_c) AS strata_n", Cols(job), limit);
  sql += candidates();
  sql += fmt::format(" ORDER BY {} LIMIT 1) AS strata_last WHERE strata_n < {} LIMIT 1",
                     Cols(job, true), limit);
  out.sql = std::move(sql);
  return out;
}

BuiltSql ChunkSplits(const JobSpec& job, const ChunkBounds& b, std::int64_t limit, int parts) {
  limit = std::max<std::int64_t>(limit, 1);
  std::int64_t n = limit * std::max(parts, 1);
  BuiltSql out;
  std::string names;
  for (size_t i = 0; i < job.key.size(); ++i) names += (i ? ", " : "") + job.key[i];
  // The candidates in key order (LIMIT before the window functions, so that they count these
  // and not every candidate); row_number follows that order, which the planner keeps (the
  // subquery is sorted by the same columns: no second sort).
  std::string sql = fmt::format(
      "SELECT {0}, strata_rn FROM (SELECT strata_k.*, row_number() OVER (ORDER BY {0}) AS "
      "strata_rn, count(*) OVER () AS strata_total FROM (SELECT {1} FROM {2} WHERE ({3})",
      names, Cols(job), job.table, job.where);
  sql += PartitionCond(job, b, out.params);
  if (!b.lower.empty()) sql += " AND " + Compare(job, ">", b.lower, out.params);
  sql += fmt::format(
      " ORDER BY {} LIMIT {}) AS strata_k) AS strata_w WHERE strata_rn % {} = 0 OR strata_rn = "
      "strata_total ORDER BY strata_rn",
      Cols(job), n, limit);
  out.sql = std::move(sql);
  return out;
}

BuiltSql ChunkCuts(const JobSpec& job, const ChunkBounds& b, std::int64_t limit, int parts) {
  limit = std::max<std::int64_t>(limit, 1);
  BuiltSql out;
  std::string names, prev;
  for (size_t i = 0; i < job.key.size(); ++i) {
    names += (i ? ", " : "") + job.key[i];
    prev += (i ? ", " : "") + ("strata_c." + job.key[i]);
  }
  std::string after = job.key.size() == 1 ? fmt::format("{} > {}", Cols(job), prev)
                                          : fmt::format("({}) > ({})", Cols(job), prev);
  // The first cut: the limit-th candidate above the lower bound; each next one the limit-th
  // above the cut before it. The partition's parameter is numbered once and used in both.
  std::string part = PartitionCond(job, b, out.params);
  std::string sql =
      fmt::format("WITH RECURSIVE strata_c AS ((SELECT {0}, 1 AS strata_n FROM {1} WHERE ({2}){3}",
                  Cols(job), job.table, job.where, part);
  if (!b.lower.empty()) sql += " AND " + Compare(job, ">", b.lower, out.params);
  sql += fmt::format(
      " ORDER BY {0} OFFSET {1} LIMIT 1) UNION ALL SELECT strata_s.*, strata_c.strata_n + 1 FROM "
      "strata_c, LATERAL (SELECT {0} FROM {2} WHERE ({3}){4} AND {5} ORDER BY {0} OFFSET {1} "
      "LIMIT 1) AS strata_s WHERE strata_c.strata_n < {6}) SELECT {7}, strata_n * {8} FROM "
      "strata_c ORDER BY strata_n",
      Cols(job), limit - 1, job.table, job.where, part, after, std::max(parts, 1), names, limit);
  out.sql = std::move(sql);
  return out;
}

std::vector<db::Statement> WalkKeyIndex(const BuiltSql& bound, bool pg) {
  if (!pg) return {{bound.sql, bound.params}};
  // jit: a disabled sort (ChunkSplits' last one, of a few rows) costs 1e10 in the plan, which
  // would compile the statement (half a second) for a few milliseconds of work.
  static constexpr const char* kKnobs[] = {"enable_seqscan", "enable_bitmapscan", "enable_sort",
                                           "max_parallel_workers_per_gather", "jit"};
  std::vector<db::Statement> out{
      {"SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', "
       "true), set_config('enable_sort', 'off', true), "
       "set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)",
       {}},
      {bound.sql, bound.params}};
  // Back to the values in force before (SET LOCAL ... TO DEFAULT: the session never sets them).
  for (const char* k : kKnobs) out.push_back({fmt::format("SET LOCAL {} TO DEFAULT", k), {}});
  return out;
}

BuiltSql ChangeRange(const JobSpec& job, const ChunkBounds& b) {
  BuiltSql out;
  std::string sql = job.kind == JobKind::kDelete
                        ? fmt::format("DELETE FROM {}", job.table)
                        : fmt::format("UPDATE {} SET {}", job.table, job.set);
  if (!job.from.empty()) sql += fmt::format(" FROM {}", job.from);
  sql += fmt::format(" WHERE ({})", job.where);
  if (!job.join.empty()) sql += fmt::format(" AND ({})", job.join);
  sql += PartitionCond(job, b, out.params);
  if (!b.lower.empty()) sql += " AND " + Compare(job, ">", b.lower, out.params);
  sql += " AND " + Compare(job, "<=", b.upper, out.params);
  out.sql = std::move(sql);
  return out;
}

BuiltSql CountCandidates(const JobSpec& job, const ChunkBounds& b) {
  BuiltSql out;
  std::string sql = fmt::format("SELECT count(*) FROM {} WHERE ({})", job.table, job.where);
  sql += PartitionCond(job, b, out.params);
  if (!b.lower.empty()) sql += " AND " + Compare(job, ">", b.lower, out.params);
  out.sql = std::move(sql);
  return out;
}

std::string DistinctPartitions(const JobSpec& job) {
  return fmt::format("SELECT DISTINCT {0} FROM {1} WHERE ({2}) ORDER BY {0}", job.partition_by,
                     job.table, job.where);
}

std::string Inline(const BuiltSql& b) {
  std::string out;
  const std::string& s = b.sql;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      size_t j = i + 1;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      size_t n = std::stoul(s.substr(i + 1, j - i - 1));
      if (n >= 1 && n <= b.params.size()) {
        const auto& v = b.params[n - 1];
        if (!v) {
          out += "NULL";
        } else {
          out += db::QuoteLiteral(*v);
        }
        i = j - 1;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace strata::backfill
