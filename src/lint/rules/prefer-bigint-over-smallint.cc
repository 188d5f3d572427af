// TY103 prefer-bigint-over-smallint: smallint overflows at 32767; use bigint. The doc is
// prefer-bigint-over-smallint.md; cases are in prefer-bigint-over-smallint.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferBigintOverSmallint(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachColumnDef(ctx, [&](JsonRef col) {
    JsonRef tn = col.Get("typeName");
    std::string_view t = analysis::TypeNameLast(tn);
    if (t != "int2" && t != "smallint" && t != "smallserial" && t != "serial2") return;
    ctx.Report(fmt::format("column `{}` is a smallint; it overflows at 32,767 and widening later "
                           "rewrites the table",
                           col.Get("colname").Str()),
               "use bigint", Loc(tn));
  });
}

}  // namespace strata::lint
