// CN105 adding-primary-key-without-index: ADD PRIMARY KEY builds its index (and NOT NULL scan)
// under ACCESS EXCLUSIVE. The doc is adding-primary-key-without-index.md; cases are in
// adding-primary-key-without-index.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckAddingPrimaryKeyWithoutIndex(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    JsonRef def = cmd.Get("def");
    auto check = [&](JsonRef c) {
      if (c.Get("contype").Str() != "CONSTR_PRIMARY" || !c.Get("indexname").Str().empty()) return;
      ctx.Report(
          fmt::format("adding a PRIMARY KEY builds its index (and checks NOT NULL) under an {}",
                      LockPhrase(ctx, LockMode::kAccessExclusive)),
          "CREATE UNIQUE INDEX CONCURRENTLY, make the columns NOT NULL safely, then ADD PRIMARY "
          "KEY USING INDEX",
          Loc(c));
    };
    if (sub == "AT_AddConstraint") check(def.Get("Constraint"));
    if (sub == "AT_AddColumn") ForEachColumnConstraint(def.Get("ColumnDef"), check);
  });
}

}  // namespace strata::lint
