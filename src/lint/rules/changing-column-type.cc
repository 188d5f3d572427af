// CL104 changing-column-type: ALTER COLUMN TYPE rewrites the table and its indexes under ACCESS
// EXCLUSIVE. The doc is changing-column-type.md; cases are in changing-column-type.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckChangingColumnType(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  if (!ctx.facts().rewrite) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AlterColumnType") return;
    JsonRef cd = cmd.Get("def").Get("ColumnDef");
    const auto* old = ctx.model()->Column(ctx.facts().target, std::string(cmd.Get("name").Str()));
    ctx.Report(
        fmt::format("changing the type of `{}`{} rewrites {} and its indexes under an {}, and "
                    "breaks clients of the old type",
                    cmd.Get("name").Str(), old ? fmt::format(" from {}", old->type) : std::string(),
                    Target(ctx), LockPhrase(ctx, LockMode::kAccessExclusive)),
        "add a new column, dual-write with a trigger, backfill in batches, switch reads, then drop "
        "the old column",
        Loc(cd.Get("typeName")));
  });
}

}  // namespace strata::lint
