// LK110 refresh-matview-blocking: REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads. The
// doc is refresh-matview-blocking.md; cases are in refresh-matview-blocking.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckRefreshMatviewBlocking(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kRefreshMatView || f.concurrent || f.target_is_new) return;
  ctx.Report(
      fmt::format("REFRESH MATERIALIZED VIEW without CONCURRENTLY takes an {} while it recomputes",
                  LockPhrase(ctx, LockMode::kAccessExclusive)),
      "create a unique index on the view and use REFRESH MATERIALIZED VIEW CONCURRENTLY");
}

}  // namespace strata::lint
