// BC104 ban-drop-column: DROP COLUMN without an approval annotation. The doc is ban-drop-column.md;
// cases are in ban-drop-column.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanDropColumn(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.facts().target_is_new) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_DropColumn") return;
    // A column the pending set itself added is used by no deployed application.
    if (ctx.model()->IsNewColumn(ctx.facts().target, std::string(cmd.Get("name").Str()))) return;
    ctx.Report(fmt::format("dropping column `{}` from {} breaks the running application if it "
                           "still reads or writes it, and loses the data",
                           cmd.Get("name").Str(), Target(ctx)),
               "stop using the column in the app first, deploy, then drop with -- strata:allow "
               "ban-drop-column reason=\"...\"");
  });
}

}  // namespace strata::lint
