// TX103 enum-add-value-in-transaction: ALTER TYPE ... ADD VALUE inside a transaction fails before
// PostgreSQL 12. The doc is enum-add-value-in-transaction.md; cases are in
// enum-add-value-in-transaction.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckEnumAddValueInTransaction(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("AlterEnumStmt");
  if (!b || !b.Get("oldVal").IsNull()) return;
  if (ctx.pg() >= 12 || !ctx.state().InTransaction()) return;
  ctx.Report("before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run inside a transaction block",
             "put it in its own migration with `-- strata:transaction off`");
}

}  // namespace strata::lint
