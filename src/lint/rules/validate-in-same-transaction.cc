// CN103 validate-in-same-transaction: VALIDATE CONSTRAINT in the same transaction as its NOT VALID
// add keeps the strong lock. The doc is validate-in-same-transaction.md; cases are in
// validate-in-same-transaction.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckValidateInSameTransaction(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.state().InTransaction()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_ValidateConstraint") return;
    std::string name(cmd.Get("name").Str());
    if (!ctx.model()->NotValidInFile(ctx.facts().target, name)) return;
    ctx.Report(
        fmt::format("VALIDATE CONSTRAINT `{}` runs in the same transaction that added it NOT "
                    "VALID, so the ADD's lock on {} is held through the whole validation scan",
                    name, Target(ctx)),
        "move VALIDATE CONSTRAINT to the next migration (or COMMIT before it)");
  });
}

}  // namespace strata::lint
