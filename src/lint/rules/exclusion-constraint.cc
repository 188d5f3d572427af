// CN106 exclusion-constraint: ADD EXCLUDE builds an index under ACCESS EXCLUSIVE, with no online
// path. The doc is exclusion-constraint.md; cases are in exclusion-constraint.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckExclusionConstraint(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AddConstraint") return;
    JsonRef c = cmd.Get("def").Get("Constraint");
    if (c.Get("contype").Str() != "CONSTR_EXCLUSION") return;
    ctx.Report(
        fmt::format("adding an EXCLUDE constraint builds its index under an {}; there is no "
                    "CONCURRENTLY form",
                    LockPhrase(ctx, LockMode::kAccessExclusive)),
        "schedule it in a maintenance window, or build a new table with the constraint and swap",
        Loc(c));
  });
}

}  // namespace strata::lint
