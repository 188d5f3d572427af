// BC105 ban-drop-table: DROP TABLE without an approval annotation. The doc is ban-drop-table.md;
// cases are in ban-drop-table.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanDropTable(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& f = ctx.facts();
  if (f.kind != StatementKind::kDropTable || f.target_is_new) return;
  // DROP TABLE IF EXISTS of a table the live catalog does not have (and the pending set has not
  // created) drops nothing.
  if (ctx.live() && ctx.body().Get("missing_ok").Bool() && !ctx.Stats(f.target) &&
      !ctx.model()->Find(f.target)) {
    return;
  }
  ctx.Report(fmt::format("dropping table {} destroys its data and breaks anything still using it",
                         Target(ctx)),
             "rename it away first (or revoke access) for a release, then drop with -- "
             "strata:allow ban-drop-table reason=\"...\"");
}

}  // namespace strata::lint
