// BC102 renaming-table: RENAME TABLE breaks the application version still running. The doc is
// renaming-table.md; cases are in renaming-table.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRenamingTable(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("RenameStmt");
  if (!b || b.Get("renameType").Str() != "OBJECT_TABLE" || ctx.facts().target_is_new) return;
  ctx.Report(fmt::format("renaming table {} to `{}` breaks the application version still running "
                         "against the old name",
                         Target(ctx), b.Get("newname").Str()),
             "create the new table (or a view with the new name), dual-write, switch, then drop "
             "the old name later");
}

}  // namespace strata::lint
