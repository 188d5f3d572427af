// CL105 prefer-jsonb: json has no equality operator; use jsonb. The doc is prefer-jsonb.md; cases
// are in prefer-jsonb.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferJsonb(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachColumnDef(ctx, [&](JsonRef col) {
    JsonRef tn = col.Get("typeName");
    if (analysis::TypeNameLast(tn) != "json") return;
    ctx.Report(fmt::format("column `{}` uses json: no equality operator (DISTINCT, UNIQUE, GROUP "
                           "BY fail) and it is re-parsed on every read",
                           col.Get("colname").Str()),
               "use jsonb", Loc(tn));
  });
}

}  // namespace strata::lint
