#include "verify/read_only.h"

#include <string>
#include <utility>

namespace strata::verify {

namespace {

// The statements that open a scope, and those that close it.
std::vector<std::string> Opening(db::Dialect d, bool nested) {
  if (d != db::Dialect::kPostgres) {
    if (nested) return {"PRAGMA query_only = 1"};
    return {"BEGIN", "PRAGMA query_only = 1"};
  }
  if (nested) {
    return {"SAVEPOINT strata_read_only", "SET LOCAL transaction_read_only = on",
            "SET LOCAL standard_conforming_strings = on"};
  }
  return {"BEGIN READ ONLY", "SET LOCAL standard_conforming_strings = on"};
}

std::vector<std::string> Closing(db::Dialect d, bool nested) {
  if (d != db::Dialect::kPostgres) {
    if (nested) return {"PRAGMA query_only = 0"};
    return {"ROLLBACK", "PRAGMA query_only = 0"};
  }
  if (nested) {
    return {"ROLLBACK TO SAVEPOINT strata_read_only", "RELEASE SAVEPOINT strata_read_only"};
  }
  return {"ROLLBACK"};
}

// Runs `stmts` in order, all of them even after a failure; the first failure.
Status RunAll(db::Connection& conn, const std::vector<std::string>& stmts) {
  Status first;
  for (const auto& s : stmts) {
    Status st = conn.Exec(s);
    if (!st.ok() && first.ok()) first = std::move(st);
  }
  return first;
}

}  // namespace

Result<ReadOnlyScope> ReadOnlyScope::Begin(db::Connection& conn) {
  const bool nested = conn.InTransaction();
  for (const auto& s : Opening(conn.dialect(), nested)) {
    if (Status st = conn.Exec(s); !st.ok()) {
      (void)RunAll(conn, Closing(conn.dialect(), nested));
      return st;
    }
  }
  return ReadOnlyScope(&conn, nested);
}

ReadOnlyScope::ReadOnlyScope(ReadOnlyScope&& o) noexcept
    : conn_(std::exchange(o.conn_, nullptr)), nested_(o.nested_) {}

ReadOnlyScope::~ReadOnlyScope() { (void)End(); }

Status ReadOnlyScope::End() {
  if (!conn_) return Status::Ok();
  db::Connection& conn = *std::exchange(conn_, nullptr);
  return RunAll(conn, Closing(conn.dialect(), nested_));
}

Result<db::QueryResult> QueryReadOnly(db::Connection& conn, std::string_view sql,
                                      const std::vector<db::Value>& params) {
  if (conn.dialect() != db::Dialect::kPostgres) {
    STRATA_ASSIGN_OR_RETURN(auto scope, ReadOnlyScope::Begin(conn));
    auto r = conn.Query(sql, params);
    Status ended = scope.End();
    if (!r) return r;
    if (!ended.ok()) return ended;
    return r;
  }
  const bool nested = conn.InTransaction();
  std::vector<db::Statement> batch;
  for (auto& s : Opening(conn.dialect(), nested)) batch.push_back({std::move(s), {}});
  const size_t at = batch.size();
  batch.push_back({std::string(sql), params});
  for (auto& s : Closing(conn.dialect(), nested)) batch.push_back({std::move(s), {}});
  auto r = conn.QueryPipeline(batch);
  if (!r) {
    // The pipeline stopped at the failure: close what it opened.
    if (nested) {
      (void)RunAll(conn, Closing(conn.dialect(), true));
    } else if (conn.InTransaction()) {
      (void)conn.Exec("ROLLBACK");
    }
    return r.status();
  }
  return std::move((*r)[at]);
}

}  // namespace strata::verify
