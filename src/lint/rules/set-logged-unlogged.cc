// LK112 set-logged-unlogged: SET LOGGED/UNLOGGED and SET TABLESPACE copy the table under ACCESS
// EXCLUSIVE. The doc is set-logged-unlogged.md; cases are in set-logged-unlogged.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckSetLoggedUnlogged(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (!SubtypeIs(sub,
                   {"AT_SetLogged", "AT_SetUnLogged", "AT_SetTableSpace", "AT_SetAccessMethod"}))
      return;
    (void)cmd;
    std::string_view what = sub == "AT_SetLogged"       ? "SET LOGGED"
                            : sub == "AT_SetUnLogged"   ? "SET UNLOGGED"
                            : sub == "AT_SetTableSpace" ? "SET TABLESPACE"
                                                        : "SET ACCESS METHOD";
    ctx.Report(fmt::format("{} copies the whole table under an {}", what,
                           LockPhrase(ctx, LockMode::kAccessExclusive)),
               "avoid on large tables; build a new table and swap it in, or schedule a window");
  });
}

}  // namespace strata::lint
