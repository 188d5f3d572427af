// CN101 adding-foreign-key-constraint: FOREIGN KEY without NOT VALID scans the table under SHARE
// ROW EXCLUSIVE on both tables. The doc is adding-foreign-key-constraint.md; cases are in
// adding-foreign-key-constraint.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckAddingForeignKeyConstraint(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    JsonRef def = cmd.Get("def");
    auto check = [&](JsonRef c) {
      if (c.Get("contype").Str() != "CONSTR_FOREIGN" || c.Get("skip_validation").Bool()) return;
      analysis::TableRef ref = analysis::TableRefFromRangeVar(c.Get("pktable"));
      ctx.Report(fmt::format("adding a FOREIGN KEY scans {} under a SHARE ROW EXCLUSIVE lock on it "
                             "and on `{}` (blocks writes to both)",
                             Target(ctx), ref.Display()),
                 "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE "
                 "EXCLUSIVE: writes continue)",
                 Loc(c));
    };
    if (sub == "AT_AddConstraint") check(def.Get("Constraint"));
    if (sub == "AT_AddColumn") ForEachColumnConstraint(def.Get("ColumnDef"), check);
  });
}

}  // namespace strata::lint
