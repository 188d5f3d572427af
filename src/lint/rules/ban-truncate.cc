// BC106 ban-truncate: TRUNCATE without an approval annotation. The doc is ban-truncate.md; cases
// are in ban-truncate.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanTruncate(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kTruncate || f.target_is_new) return;
  ctx.Report(fmt::format(
                 "TRUNCATE empties {} under an ACCESS EXCLUSIVE lock; the rows are not recoverable",
                 Target(ctx)),
             "if intended, approve it with -- strata:allow ban-truncate reason=\"...\"; otherwise "
             "DELETE the rows you mean in batches");
}

}  // namespace strata::lint
