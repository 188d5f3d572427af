// BC103 renaming-schema: RENAME SCHEMA breaks every query that names it. The doc is
// renaming-schema.md; cases are in renaming-schema.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRenamingSchema(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("RenameStmt");
  if (!b || b.Get("renameType").Str() != "OBJECT_SCHEMA") return;
  ctx.Report(
      fmt::format("renaming schema `{}` to `{}` breaks every query and search_path that names it",
                  b.Get("subname").Str(), b.Get("newname").Str()),
      "create the new schema, move objects with views left behind for old clients, drop later");
}

}  // namespace strata::lint
