// LK103 concurrent-in-transaction: CONCURRENTLY (or VACUUM, ADD VALUE before 12) inside a
// transactional migration fails. The doc is concurrent-in-transaction.md; cases are in
// concurrent-in-transaction.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckConcurrentInTransaction(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  // The name comes from the one list the engine refuses by (sql::NonTransactionalConstruct).
  if (f.non_transactional.empty() || !ctx.state().InTransaction()) return;
  ctx.Report(
      fmt::format(
          "{} cannot run inside a transaction block, and this migration runs in one (error 25001)",
          f.non_transactional),
      "put it in a migration of its own with `-- strata:transaction off` at the top");
}

}  // namespace strata::lint
