// BC101 renaming-column: RENAME COLUMN breaks the application version still running. The doc is
// renaming-column.md; cases are in renaming-column.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRenamingColumn(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("RenameStmt");
  if (!b || b.Get("renameType").Str() != "OBJECT_COLUMN" || ctx.facts().target_is_new) return;
  ctx.Report(fmt::format("renaming column `{}` to `{}` on {} breaks the application version still "
                         "running against the old name",
                         b.Get("subname").Str(), b.Get("newname").Str(), Target(ctx)),
             "expand/contract: add the new column, dual-write, backfill, switch reads, drop the "
             "old one later");
}

}  // namespace strata::lint
