// Read-only scopes: where strata runs SQL a file supplies without meaning to change anything
// (`correct plan`, `backfill plan`, pre/post-checks, `verify`, smoke queries, a backfill's
// [verify] query), the database itself refuses every write, and whatever ran is undone (issue
// 14). The fragment checks (analysis/fragment.h) decide what text may run; these scopes make
// sure that even a function with side effects inside accepted text writes nothing.
//
// PostgreSQL: outside a transaction, BEGIN READ ONLY ... ROLLBACK; inside one (a transactional
// migration's post-checks), SAVEPOINT + SET LOCAL transaction_read_only = on ... ROLLBACK TO
// SAVEPOINT + RELEASE, which gives the transaction back read-write and as it was. Both set
// standard_conforming_strings = on for the scope, the reading of string literals the fragment
// checks assume. SQLite: PRAGMA query_only = 1 (with BEGIN ... ROLLBACK outside a transaction,
// so the reads share one snapshot), PRAGMA query_only = 0 at the end.
//
// A scope belongs to one connection and one thread, like the connection.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <string_view>
#include <vector>

namespace strata::verify {

class ReadOnlyScope {
 public:
  // Opens a scope on `conn` (which must outlive it). Errors: the database's, when it refuses
  // the BEGIN / SAVEPOINT / SET (nothing is left open then).
  static Result<ReadOnlyScope> Begin(db::Connection& conn);

  ReadOnlyScope(ReadOnlyScope&& o) noexcept;
  ReadOnlyScope& operator=(ReadOnlyScope&&) = delete;
  ReadOnlyScope(const ReadOnlyScope&) = delete;
  ~ReadOnlyScope();

  // Undoes everything the scope ran and ends it; idempotent. Errors: the database's (the
  // scope is ended regardless).
  Status End();

 private:
  ReadOnlyScope(db::Connection* conn, bool nested) : conn_(conn), nested_(nested) {}
  db::Connection* conn_ = nullptr;
  bool nested_ = false;  // opened inside the caller's transaction
};

// Runs one query in a read-only scope; on PostgreSQL the scope and the query share one round
// trip. Returns the query's rows, or its error (the scope is ended either way).
Result<db::QueryResult> QueryReadOnly(db::Connection& conn, std::string_view sql,
                                      const std::vector<db::Value>& params = {});

}  // namespace strata::verify
