// TY102 prefer-bigint-over-int: int (32-bit) keys and counters overflow; use bigint. The doc is
// prefer-bigint-over-int.md; cases are in prefer-bigint-over-int.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferBigintOverInt(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachColumnDef(ctx, [&](JsonRef col) {
    JsonRef tn = col.Get("typeName");
    std::string_view t = analysis::TypeNameLast(tn);
    if (t != "int4" && t != "int" && t != "integer" && t != "serial" && t != "serial4") return;
    ctx.Report(fmt::format("column `{}` is a 32-bit integer; ids and counters overflow at "
                           "2,147,483,647 and widening later rewrites the table",
                           col.Get("colname").Str()),
               "use bigint (or bigserial / bigint GENERATED ... AS IDENTITY)", Loc(tn));
  });
}

}  // namespace strata::lint
