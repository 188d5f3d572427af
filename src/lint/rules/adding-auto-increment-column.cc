// CL103 adding-auto-increment-column: ADD COLUMN serial/identity rewrites the table. The doc is
// adding-auto-increment-column.md; cases are in adding-auto-increment-column.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckAddingAutoIncrementColumn(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AddColumn") return;
    JsonRef col = cmd.Get("def").Get("ColumnDef");
    std::string_view type = analysis::TypeNameLast(col.Get("typeName"));
    bool serial = type == "serial" || type == "bigserial" || type == "smallserial" ||
                  type == "serial4" || type == "serial8" || type == "serial2";
    bool identity = false;
    ForEachColumnConstraint(col, [&](JsonRef c) {
      identity = identity || c.Get("contype").Str() == "CONSTR_IDENTITY";
    });
    if (!serial && !identity) return;
    ctx.Report(
        fmt::format("ADD COLUMN `{}` {} fills every existing row, rewriting the table under an {}",
                    col.Get("colname").Str(), serial ? "serial" : "GENERATED AS IDENTITY",
                    LockPhrase(ctx, LockMode::kAccessExclusive)),
        "add a nullable bigint, attach a sequence as DEFAULT for new rows, backfill in batches, "
        "then enforce NOT NULL",
        Loc(col));
  });
}

}  // namespace strata::lint
