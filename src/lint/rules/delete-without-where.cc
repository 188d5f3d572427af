// DM101 delete-without-where: DELETE without WHERE removes every row. The doc is
// delete-without-where.md; cases are in delete-without-where.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckDeleteWithoutWhere(Context& ctx) {
  using namespace rules;  // NOLINT
  auto check = [&](const analysis::Facts& f, bool embedded) {
    if (f.kind != StatementKind::kDelete || !f.unbounded_dml || f.target_is_new) return;
    ctx.Report(fmt::format("DELETE without WHERE removes every row of `{}`{}", f.target.Display(),
                           embedded ? " (inside a DO block)" : ""),
               "add a WHERE that names the rows you mean; if you do mean all, approve with -- "
               "strata:allow delete-without-where reason=\"...\"");
  };
  check(ctx.facts(), false);
  for (const auto& e : ctx.stmt()->embedded) check(e, true);
}

}  // namespace strata::lint
