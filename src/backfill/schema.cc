#include "backfill/schema.h"

#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "backfill/chunk.h"
#include "backfill/common.h"

namespace strata::backfill {

namespace {

Status FieldProblem(const JobSpec& job, std::string_view field, std::string msg, std::string hint) {
  return Status(ErrorCode::kConfig, fmt::format("`{}`: {}", field, msg))
      .WithSpan({job.path, 0, 0})
      .WithHint(std::move(hint));
}

struct TableInfo {
  std::set<std::string> columns;                   // lower-case
  std::vector<std::set<std::string>> unique_keys;  // lower-case column sets
};

Result<TableInfo> Describe(db::Connection& conn, const JobSpec& job) {
  TableInfo t;
  if (conn.dialect() == db::Dialect::kPostgres) {
    STRATA_ASSIGN_OR_RETURN(auto cols,
                            conn.Query("SELECT a.attname FROM pg_attribute a WHERE a.attrelid = "
                                       "to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
                                       {job.table}));
    for (const auto& r : cols.rows) t.columns.insert(base::ToLower(Text(r[0])));
    STRATA_ASSIGN_OR_RETURN(
        auto idx, conn.Query("SELECT i.indexrelid, a.attname FROM pg_index i JOIN pg_attribute a "
                             "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE "
                             "i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid "
                             "AND i.indpred IS NULL AND i.indexprs IS NULL ORDER BY 1",
                             {job.table}));
    std::string cur;
    for (const auto& r : idx.rows) {
      if (Text(r[0]) != cur) {
        cur = Text(r[0]);
        t.unique_keys.emplace_back();
      }
      t.unique_keys.back().insert(base::ToLower(Text(r[1])));
    }
    return t;
  }
  std::string name = job.table;
  STRATA_ASSIGN_OR_RETURN(auto cols,
                          conn.Query("SELECT name, pk, type FROM pragma_table_info($1)", {name}));
  std::vector<std::string> pk;
  std::string pk_type;
  for (const auto& r : cols.rows) {
    t.columns.insert(base::ToLower(Text(r[0])));
    if (ToInt(r[1]) > 0) {
      pk.push_back(base::ToLower(Text(r[0])));
      pk_type = base::ToUpper(Text(r[2]));
    }
  }
  if (pk.size() == 1 && pk_type == "INTEGER") t.unique_keys.push_back({pk[0]});  // rowid alias
  STRATA_ASSIGN_OR_RETURN(
      auto idx, conn.Query("SELECT name FROM pragma_index_list($1) WHERE \"unique\" AND NOT "
                           "\"partial\"",
                           {name}));
  for (const auto& r : idx.rows) {
    STRATA_ASSIGN_OR_RETURN(auto ic,
                            conn.Query("SELECT name FROM pragma_index_info($1)", {Text(r[0])}));
    std::set<std::string> s;
    bool expr = false;
    for (const auto& c : ic.rows) {
      if (!c[0]) expr = true;
      s.insert(base::ToLower(Text(c[0])));
    }
    if (!expr) t.unique_keys.push_back(std::move(s));
  }
  return t;
}

}  // namespace

Status CheckSchema(db::Connection& conn, const JobSpec& job) {
  STRATA_TRY(CheckFragments(job, conn.dialect()));  // before any of them runs (issue 14)
  STRATA_ASSIGN_OR_RETURN(auto info, Describe(conn, job));
  if (info.columns.empty()) {
    return FieldProblem(job, "table", fmt::format("table `{}` does not exist", job.table),
                        "apply the migration that creates it (`strata migrate`) or fix `table`");
  }
  std::set<std::string> key;
  for (const auto& k : job.key) {
    std::string lk = base::ToLower(k);
    if (!info.columns.count(lk)) {
      return FieldProblem(job, "key", fmt::format("`{}` is not a column of `{}`", k, job.table),
                          fmt::format("columns: {}", fmt::join(info.columns, ", ")));
    }
    key.insert(lk);
  }
  if (!job.partition_by.empty() && !info.columns.count(base::ToLower(job.partition_by))) {
    return FieldProblem(job, "partition_by",
                        fmt::format("`{}` is not a column of `{}`", job.partition_by, job.table),
                        fmt::format("columns: {}", fmt::join(info.columns, ", ")));
  }
  bool unique = std::any_of(info.unique_keys.begin(), info.unique_keys.end(), [&](const auto& u) {
    return !u.empty() && std::includes(key.begin(), key.end(), u.begin(), u.end());
  });
  if (!unique) {
    return FieldProblem(
        job, "key",
        fmt::format("({}) is not unique in `{}`: no primary key or unique index covers it",
                    fmt::join(job.key, ", "), job.table),
        "use the primary key, or add a unique index on the key columns first; keyset chunks "
        "need a unique order to never skip or repeat a row");
  }
  return Status::Ok();
}

}  // namespace strata::backfill
