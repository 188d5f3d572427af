// LK113 concurrent-index-pg14-bug: CREATE INDEX CONCURRENTLY / REINDEX CONCURRENTLY on
// PostgreSQL 14.0-14.3 can corrupt indexes. The doc is concurrent-index-pg14-bug.md; cases are in
// concurrent-index-pg14-bug.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckConcurrentIndexCorruptionPg14(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (ctx.pg() != 14 || !f.concurrent) return;
  if (f.kind != StatementKind::kCreateIndex && f.kind != StatementKind::kReindex) return;
  if (ctx.config().pg_minor >= 4) return;
  ctx.Report(fmt::format("CONCURRENTLY index builds on PostgreSQL 14.0-14.3 can silently corrupt "
                         "the index on {}{}",
                         Target(ctx), ctx.config().pg_minor < 0 ? " (minor version unknown)" : ""),
             "upgrade to 14.4 or later first (set [lint] pg_version = \"14.4\" once done), then "
             "run amcheck on indexes built before");
}

}  // namespace strata::lint
