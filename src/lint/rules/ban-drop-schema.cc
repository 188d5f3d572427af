// BC110 ban-drop-schema: DROP SCHEMA without an approval annotation. The doc is ban-drop-schema.md;
// cases are in ban-drop-schema.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanDropSchema(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("DropStmt");
  if (!b || b.Get("removeType").Str() != "OBJECT_SCHEMA") return;
  JsonRef objs = b.Get("objects");
  std::string name =
      objs.size() ? std::string(objs.At(0).Get("String").Get("sval").Str()) : std::string();
  ctx.Report(fmt::format("DROP SCHEMA `{}`{} destroys every object in it", name,
                         b.Get("behavior").Str() == "DROP_CASCADE" ? " CASCADE" : ""),
             "approve it with -- strata:allow ban-drop-schema reason=\"...\" after confirming "
             "nothing uses it");
}

}  // namespace strata::lint
