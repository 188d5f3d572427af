// BC107 ban-truncate-cascade: TRUNCATE ... CASCADE empties every referencing table too. The doc is
// ban-truncate-cascade.md; cases are in ban-truncate-cascade.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanTruncateCascade(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("TruncateStmt");
  if (!b || b.Get("behavior").Str() != "DROP_CASCADE") return;
  ctx.Report(
      fmt::format("TRUNCATE ... CASCADE also empties every table that references {}, recursively",
                  Target(ctx)),
      "name every table to truncate explicitly, without CASCADE");
}

}  // namespace strata::lint
