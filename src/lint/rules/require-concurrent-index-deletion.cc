// LK102 require-concurrent-index-deletion: DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE
// on the table. The doc is require-concurrent-index-deletion.md; cases are in
// require-concurrent-index-deletion.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireConcurrentIndexDeletion(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kDropIndex || f.concurrent) return;
  if (f.target_is_new) return;  // an index on a table created in the set
  ctx.Report(fmt::format("DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the "
                         "index's table {} (blocks reads and writes)",
                         Target(ctx)),
             "use DROP INDEX CONCURRENTLY IF EXISTS in its own migration with `-- "
             "strata:transaction off`");
}

}  // namespace strata::lint
