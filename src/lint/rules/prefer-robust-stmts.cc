// ST102 prefer-robust-stmts: non-transactional DDL without IF [NOT] EXISTS cannot be re-run after a
// partial failure. The doc is prefer-robust-stmts.md; cases are in prefer-robust-stmts.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckPreferRobustStmts(Context& ctx) {
  using namespace rules;  // NOLINT
  // Only matters when a partial failure can leave the migration half-applied: outside a
  // transaction.
  if (ctx.state().InTransaction()) return;
  JsonRef node = ctx.stmt()->node();
  if (JsonRef b = node.As("CreateStmt")) {
    if (!b.Get("if_not_exists").Bool() && b.Get("relation").Get("relpersistence").Str() != "t")
      ctx.Report("CREATE TABLE without IF NOT EXISTS cannot be re-run after a partial failure",
                 "use CREATE TABLE IF NOT EXISTS");
  } else if (JsonRef b = node.As("IndexStmt")) {
    if (!b.Get("if_not_exists").Bool() && !b.Get("idxname").Str().empty())
      ctx.Report(
          "CREATE INDEX without IF NOT EXISTS cannot be re-run after a partial failure (a failed "
          "CONCURRENTLY build leaves an INVALID index)",
          "use CREATE INDEX CONCURRENTLY IF NOT EXISTS");
  } else if (JsonRef b = node.As("DropStmt")) {
    if (!b.Get("missing_ok").Bool())
      ctx.Report("DROP without IF EXISTS cannot be re-run after a partial failure",
                 "use DROP ... IF EXISTS");
  } else if (JsonRef b = node.As("AlterTableStmt")) {
    ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
      if ((sub == "AT_AddColumn" || sub == "AT_DropColumn" || sub == "AT_DropConstraint") &&
          !cmd.Get("missing_ok").Bool()) {
        ctx.Report(
            sub == "AT_AddColumn"
                ? "ADD COLUMN without IF NOT EXISTS cannot be re-run after a partial failure"
                : "DROP without IF EXISTS cannot be re-run after a partial failure",
            sub == "AT_AddColumn" ? "use ADD COLUMN IF NOT EXISTS" : "use DROP ... IF EXISTS");
      }
    });
  }
}

}  // namespace strata::lint
