// TY101 ban-char-field: char(n) pads with blanks; use text or varchar. The doc is
// ban-char-field.md; cases are in ban-char-field.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanCharField(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachColumnDef(ctx, [&](JsonRef col) {
    JsonRef tn = col.Get("typeName");
    std::string_view t = analysis::TypeNameLast(tn);
    if (t != "bpchar" && t != "char" && t != "character") return;
    // `"char"` (the internal one-byte type) is spelled char inside pg_catalog without typmods.
    if (t == "char" && analysis::DottedName(tn.Get("names")) == "pg_catalog.char" && false) return;
    ctx.Report(
        fmt::format("column `{}` uses char(n), which pads with blanks and compares surprisingly",
                    col.Get("colname").Str()),
        "use text (with a CHECK on length if needed) or varchar(n)", Loc(tn));
  });
}

}  // namespace strata::lint
