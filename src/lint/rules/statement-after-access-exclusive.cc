// LK108 statement-after-access-exclusive: more work in the same transaction after taking ACCESS
// EXCLUSIVE widens the lock window. The doc is statement-after-access-exclusive.md; cases are in
// statement-after-access-exclusive.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckStatementAfterAccessExclusive(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& st = ctx.state();
  if (st.access_exclusive_at < 0 || !st.InTransaction()) return;
  // Only heavy follow-ups matter (a scan, a rewrite, DML or another blocking lock); report the
  // first one per lock window.
  if (!IsHeavy(ctx.facts()) || st.heavy_after_lock > 0) return;
  ctx.Report(fmt::format("the ACCESS EXCLUSIVE lock on `{}` taken at statement {} is still held "
                         "while this statement runs; reads and writes wait the whole time",
                         st.access_exclusive_table, st.access_exclusive_at + 1),
             "commit right after the statement that takes ACCESS EXCLUSIVE: split the migration");
}

}  // namespace strata::lint
