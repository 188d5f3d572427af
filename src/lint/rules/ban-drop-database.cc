// BC108 ban-drop-database: DROP DATABASE in a migration. The doc is ban-drop-database.md; cases are
// in ban-drop-database.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanDropDatabase(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.node_type() != "DropdbStmt") return;
  ctx.Report(fmt::format("DROP DATABASE `{}` in a migration", ctx.body().Get("dbname").Str()),
             "databases are provisioned outside migrations; remove this statement");
}

}  // namespace strata::lint
