// DM102 update-without-where: UPDATE without WHERE rewrites every row in one transaction. The doc
// is update-without-where.md; cases are in update-without-where.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckUpdateWithoutWhere(Context& ctx) {
  using namespace rules;  // NOLINT
  auto check = [&](const analysis::Facts& f, bool embedded) {
    if (f.kind != StatementKind::kUpdate || !f.unbounded_dml || f.target_is_new) return;
    ctx.Report(fmt::format("UPDATE without WHERE rewrites every row of `{}` in one transaction{}, "
                           "holding row locks on all of them",
                           f.target.Display(), embedded ? " (inside a DO block)" : ""),
               "backfill in keyset batches (WHERE id > $last ... LIMIT n, idempotent WHERE col IS "
               "NULL) as a strata backfill job");
  };
  check(ctx.facts(), false);
  for (const auto& e : ctx.stmt()->embedded) check(e, true);
}

}  // namespace strata::lint
