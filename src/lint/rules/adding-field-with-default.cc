// CL101 adding-field-with-default: ADD COLUMN with a volatile default (or any default before 11, or
// STORED generated) rewrites the table. The doc is adding-field-with-default.md; cases are in
// adding-field-with-default.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckAddingFieldWithDefault(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.TargetExists()) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AddColumn") return;
    JsonRef col = cmd.Get("def").Get("ColumnDef");
    ForEachColumnConstraint(col, [&](JsonRef c) {
      std::string_view ct = c.Get("contype").Str();
      if (ct == "CONSTR_GENERATED") {
        ctx.Report(
            fmt::format("adding a STORED generated column `{}` rewrites the table under an {}",
                        col.Get("colname").Str(), LockPhrase(ctx, LockMode::kAccessExclusive)),
            "add a nullable column, fill it with a trigger and a batched backfill", Loc(c));
      } else if (ct == "CONSTR_DEFAULT") {
        JsonRef e = c.Get("raw_expr");
        if (ctx.pg() < 11) {
          ctx.Report(
              fmt::format("before PostgreSQL 11, ADD COLUMN `{}` with a DEFAULT rewrites the table "
                          "under an {}",
                          col.Get("colname").Str(), LockPhrase(ctx, LockMode::kAccessExclusive)),
              "add the column without a default, SET DEFAULT separately, then backfill in batches",
              Loc(e));
        } else if (analysis::ExprIsVolatile(e)) {
          ctx.Report(
              fmt::format("ADD COLUMN `{}` with a volatile DEFAULT rewrites the table under an {}",
                          col.Get("colname").Str(), LockPhrase(ctx, LockMode::kAccessExclusive)),
              "add the column nullable, SET DEFAULT for new rows, then backfill existing rows in "
              "batches",
              Loc(e));
        }
      }
    });
  });
}

}  // namespace strata::lint
