// ST101 identifier-too-long: identifiers over 63 bytes are silently truncated. The doc is identifier-too-long.md; cases are in identifier-too-long.test.
#include <algorithm>

#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckIdentifierTooLong(Context& ctx) {
  using namespace rules;  // NOLINT
  // Names PostgreSQL creates from this statement: relation, index, constraint and column names.
  auto check = [&](std::string_view name, std::int64_t loc) {
    if (name.size() <= 63) return;
    ctx.Report(fmt::format("identifier `{}` is {} bytes; PostgreSQL silently truncates it to 63 (`{}`)", name, name.size(), name.substr(0, 63)),
               "shorten it to at most 63 bytes", loc);
  };
  analysis::WalkJson(ctx.stmt()->node(), [&](JsonRef n) {
    if (!n.IsObject()) return true;
    for (std::string_view key : {"relname", "idxname", "conname", "colname", "newname", "trigname", "schemaname"}) {
      if (JsonRef v = n.Get(key)) check(v.Str(), Loc(n));
    }
    return true;
  });
}

}  // namespace strata::lint
