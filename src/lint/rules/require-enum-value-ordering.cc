// ST105 require-enum-value-ordering: ADD VALUE without BEFORE/AFTER appends, which changes ORDER BY
// semantics. The doc is require-enum-value-ordering.md; cases are in
// require-enum-value-ordering.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireEnumValueOrdering(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("AlterEnumStmt");
  if (!b || !b.Get("oldVal").IsNull() || !b.Get("newValNeighbor").IsNull()) return;
  ctx.Report(fmt::format("ADD VALUE '{}' without BEFORE/AFTER appends it last, which decides how "
                         "ORDER BY sorts it",
                         b.Get("newVal").Str()),
             "say where it goes: ADD VALUE IF NOT EXISTS 'x' BEFORE 'y' (or AFTER)");
}

}  // namespace strata::lint
