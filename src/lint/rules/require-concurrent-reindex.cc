// LK104 require-concurrent-reindex: REINDEX without CONCURRENTLY blocks writes (and reads through
// the index). The doc is require-concurrent-reindex.md; cases are in
// require-concurrent-reindex.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRequireConcurrentReindex(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kReindex || f.concurrent) return;
  if (ctx.pg() < 12) return;  // no REINDEX CONCURRENTLY before 12
  std::string_view kind = ctx.body().Get("kind").Str();
  if (kind == "REINDEX_OBJECT_SYSTEM") return;  // system catalogs cannot be reindexed concurrently
  ctx.Report(
      fmt::format("REINDEX without CONCURRENTLY takes {}; queries that use the index wait too",
                  WithArticle(LockPhrase(ctx, f.lock))),
      "use REINDEX (CONCURRENTLY) ... in a migration with `-- strata:transaction off`");
}

}  // namespace strata::lint
