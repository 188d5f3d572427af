// CN107 set-not-null: SET NOT NULL scans the table under ACCESS EXCLUSIVE. The doc is
// set-not-null.md; cases are in set-not-null.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckSetNotNull(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_SetNotNull") return;
    std::string col(cmd.Get("name").Str());
    if (ctx.pg() >= 12 && ctx.model()->HasValidNotNullCheck(ctx.facts().target, col)) return;
    ctx.Report(fmt::format("SET NOT NULL on `{}` scans the whole table under an {}", col,
                           LockPhrase(ctx, LockMode::kAccessExclusive)),
               ctx.pg() >= 12
                   ? "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; next migration VALIDATE "
                     "CONSTRAINT c; then SET NOT NULL (no scan) and DROP CONSTRAINT c"
                   : "before PostgreSQL 12 there is no scan-free path: keep a validated CHECK (col "
                     "IS NOT NULL) instead of NOT NULL");
  });
}

}  // namespace strata::lint
