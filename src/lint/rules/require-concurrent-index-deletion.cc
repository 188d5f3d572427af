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
  // The target is the index's table when the model or the live catalog knows it; otherwise the
  // index name as written.
  std::string on = f.target_is_index ? fmt::format("the table of index `{}`", f.target.Display())
                                     : fmt::format("the index's table {}", Target(ctx));
  ctx.Report(fmt::format("DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on {} "
                         "(blocks reads and writes)",
                         on),
             "use DROP INDEX CONCURRENTLY IF EXISTS in its own migration with `-- "
             "strata:transaction off`");
}

}  // namespace strata::lint
