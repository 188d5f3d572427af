// LK109 prefer-repack: VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE. The doc is
// prefer-repack.md; cases are in prefer-repack.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferRepack(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (!((f.kind == StatementKind::kVacuum && f.rewrite) || f.kind == StatementKind::kCluster))
    return;
  ctx.Report(
      fmt::format("{} rewrites the whole table under an {}",
                  f.kind == StatementKind::kCluster ? "CLUSTER" : "VACUUM FULL",
                  LockPhrase(ctx, LockMode::kAccessExclusive)),
      ctx.pg() >= 19
          ? "use REPACK (CONCURRENTLY) instead"
          : "use pg_repack (online) or schedule a maintenance window; plain VACUUM does not lock");
}

}  // namespace strata::lint
