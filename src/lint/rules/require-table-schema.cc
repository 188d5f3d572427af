// ST103 require-table-schema: unqualified table names depend on search_path. The doc is
// require-table-schema.md; cases are in require-table-schema.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireTableSchema(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.target.empty() || !f.target.schema.empty() || !f.ddl) return;
  if (JsonRef c = ctx.stmt()->node().As("CreateStmt")) {
    if (c.Get("relation").Get("relpersistence").Str() == "t")
      return;  // temp tables live in pg_temp
  }
  ctx.Report(fmt::format("`{}` is not schema-qualified, so it resolves through search_path",
                         f.target.name),
             "write schema.table");
}

}  // namespace strata::lint
