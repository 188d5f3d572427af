// TY105 prefer-text-field: varchar(n) needs a lock to widen later; use text with a CHECK. The doc
// is prefer-text-field.md; cases are in prefer-text-field.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferTextField(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachColumnDef(ctx, [&](JsonRef col) {
    JsonRef tn = col.Get("typeName");
    std::string_view t = analysis::TypeNameLast(tn);
    if (t != "varchar" || analysis::TypeMods(tn).empty()) return;
    ctx.Report(
        fmt::format(
            "column `{}` is varchar(n); raising the limit later needs an ACCESS EXCLUSIVE lock",
            col.Get("colname").Str()),
        "use text with a CHECK (char_length(col) <= n) added NOT VALID, which can change without a "
        "rewrite",
        Loc(tn));
  });
}

}  // namespace strata::lint
