// CN108 ban-drop-not-null: DROP NOT NULL lets readers that expect a value see NULL. The doc is
// ban-drop-not-null.md; cases are in ban-drop-not-null.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanDropNotNull(Context& ctx) {
  using namespace rules;  // NOLINT
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_DropNotNull") return;
    ctx.Report(
        fmt::format("DROP NOT NULL on `{}`.`{}`: readers that assume a value will now see NULL",
                    ctx.facts().target.Display(), cmd.Get("name").Str()),
        "do it only in the contract phase, after every consumer handles NULL; approve with -- "
        "strata:allow ban-drop-not-null reason=\"...\"");
  });
}

}  // namespace strata::lint
