// LK101 require-concurrent-index-creation: CREATE INDEX without CONCURRENTLY on an existing table
// blocks writes. The doc is require-concurrent-index-creation.md; cases are in
// require-concurrent-index-creation.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireConcurrentIndexCreation(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kCreateIndex || f.concurrent || !ctx.TargetExists()) return;
  ctx.Report(
      fmt::format("CREATE INDEX without CONCURRENTLY takes {} while it reads the whole table",
                  WithArticle(LockPhrase(ctx, f.lock))),
      "use CREATE INDEX CONCURRENTLY IF NOT EXISTS in its own migration with `-- "
      "strata:transaction off`");
}

}  // namespace strata::lint
