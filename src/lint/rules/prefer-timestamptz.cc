// TY106 prefer-timestamptz: timestamp without time zone loses the offset; use timestamptz. The doc
// is prefer-timestamptz.md; cases are in prefer-timestamptz.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferTimestamptz(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachColumnDef(ctx, [&](JsonRef col) {
    JsonRef tn = col.Get("typeName");
    std::string_view t = analysis::TypeNameLast(tn);
    if (t != "timestamp") return;
    ctx.Report(fmt::format("column `{}` is timestamp without time zone: the instant is ambiguous "
                           "once sessions use different zones",
                           col.Get("colname").Str()),
               "use timestamptz", Loc(tn));
  });
}

}  // namespace strata::lint
