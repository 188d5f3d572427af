// CN104 disallowed-unique-constraint: ADD UNIQUE builds its index under ACCESS EXCLUSIVE. The doc
// is disallowed-unique-constraint.md; cases are in disallowed-unique-constraint.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckDisallowedUniqueConstraint(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    JsonRef def = cmd.Get("def");
    auto check = [&](JsonRef c) {
      if (c.Get("contype").Str() != "CONSTR_UNIQUE" || !c.Get("indexname").Str().empty()) return;
      ctx.Report(
          fmt::format("adding a UNIQUE constraint builds its index under an {}",
                      LockPhrase(ctx, LockMode::kAccessExclusive)),
          "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX",
          Loc(c));
    };
    if (sub == "AT_AddConstraint") check(def.Get("Constraint"));
    if (sub == "AT_AddColumn") ForEachColumnConstraint(def.Get("ColumnDef"), check);
  });
}

}  // namespace strata::lint
