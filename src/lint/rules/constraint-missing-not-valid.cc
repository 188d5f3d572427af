// CN102 constraint-missing-not-valid: CHECK without NOT VALID scans the table under ACCESS
// EXCLUSIVE. The doc is constraint-missing-not-valid.md; cases are in
// constraint-missing-not-valid.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckConstraintMissingNotValid(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AddConstraint") return;
    JsonRef c = cmd.Get("def").Get("Constraint");
    std::string_view ct = c.Get("contype").Str();
    if (c.Get("skip_validation").Bool()) return;
    if (ct == "CONSTR_CHECK") {
      ctx.Report(fmt::format("adding a CHECK constraint scans the whole table under an {}",
                             LockPhrase(ctx, LockMode::kAccessExclusive)),
                 "add it NOT VALID, commit, then VALIDATE CONSTRAINT in a later migration (writes "
                 "continue)",
                 Loc(c));
    } else if (ct == "CONSTR_FOREIGN") {
      analysis::TableRef ref = analysis::TableRefFromRangeVar(c.Get("pktable"));
      ctx.Report(fmt::format("FOREIGN KEY without NOT VALID validates every row of {} while "
                             "holding SHARE ROW EXCLUSIVE on it and on `{}`",
                             Target(ctx), ref.Display()),
                 "add it NOT VALID, commit, then VALIDATE CONSTRAINT in a later migration", Loc(c));
    }
  });
}

}  // namespace strata::lint
