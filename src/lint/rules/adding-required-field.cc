// CL102 adding-required-field: ADD COLUMN NOT NULL without a default fails on a populated table.
// The doc is adding-required-field.md; cases are in adding-required-field.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckAddingRequiredField(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AddColumn") return;
    JsonRef col = cmd.Get("def").Get("ColumnDef");
    bool not_null = false, has_default = false;
    ForEachColumnConstraint(col, [&](JsonRef c) {
      std::string_view ct = c.Get("contype").Str();
      if (ct == "CONSTR_NOTNULL" || ct == "CONSTR_PRIMARY") not_null = true;
      if (ct == "CONSTR_DEFAULT" || ct == "CONSTR_GENERATED" || ct == "CONSTR_IDENTITY")
        has_default = true;
    });
    std::string_view type = analysis::TypeNameLast(col.Get("typeName"));
    if (type.find("serial") != std::string_view::npos) has_default = true;
    if (!not_null || has_default) return;
    ctx.Report(fmt::format("ADD COLUMN `{}` NOT NULL without a DEFAULT fails on a populated {} and "
                           "breaks inserts from the running app",
                           col.Get("colname").Str(), Target(ctx)),
               "add it nullable (or with a constant DEFAULT), backfill, then enforce NOT NULL via "
               "CHECK NOT VALID → VALIDATE → SET NOT NULL",
               Loc(col));
  });
}

}  // namespace strata::lint
