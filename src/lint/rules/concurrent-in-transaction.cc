// LK103 concurrent-in-transaction: CONCURRENTLY (or VACUUM, ADD VALUE before 12) inside a
// transactional migration fails. The doc is concurrent-in-transaction.md; cases are in
// concurrent-in-transaction.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckConcurrentInTransaction(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (!f.non_transactional || !ctx.state().InTransaction()) return;
  std::string_view what = f.kind == StatementKind::kCreateIndex ? "CREATE INDEX CONCURRENTLY"
                          : f.kind == StatementKind::kDropIndex ? "DROP INDEX CONCURRENTLY"
                          : f.kind == StatementKind::kReindex   ? "REINDEX CONCURRENTLY"
                          : f.kind == StatementKind::kVacuum    ? "VACUUM"
                          : f.kind == StatementKind::kAlterEnum
                              ? "ALTER TYPE ... ADD VALUE (before PostgreSQL 12)"
                          : f.kind == StatementKind::kAlterTable ? "DETACH PARTITION CONCURRENTLY"
                                                                 : "this statement";
  ctx.Report(
      fmt::format(
          "{} cannot run inside a transaction block, and this migration runs in one (error 25001)",
          what),
      "put it in a migration of its own with `-- strata:transaction off` at the top");
}

}  // namespace strata::lint
