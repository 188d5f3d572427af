// BC104 ban-drop-column: DROP COLUMN without an approval annotation. The doc is ban-drop-column.md;
// cases are in ban-drop-column.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

namespace {

// Whether a later statement of the same transaction adds `column` back to `table` as a generated
// column (a generated column redefined by DROP + ADD): once that transaction commits, the column
// is there again with every value recomputed, so no reader sees it missing and no data is lost.
using analysis::JsonRef;

bool ReAddedInSameTransaction(const Context& ctx, const analysis::TableRef& table,
                              std::string_view column) {
  if (!ctx.state().InTransaction()) return false;
  const auto& stmts = ctx.file().parsed.statements;
  for (size_t i = ctx.stmt()->index + 1; i < stmts.size(); ++i) {
    JsonRef node = stmts[i].node;
    if (!node || node.As("TransactionStmt")) return false;  // unknown, or the transaction ends
    JsonRef alter = node.As("AlterTableStmt");
    if (!alter || analysis::TableRefFromRangeVar(alter.Get("relation")).Key() != table.Key()) {
      continue;
    }
    JsonRef cmds = alter.Get("cmds");
    for (size_t c = 0; c < cmds.size(); ++c) {
      JsonRef cmd = cmds.At(c).Get("AlterTableCmd");
      JsonRef col = cmd.Get("def").Get("ColumnDef");
      if (cmd.Get("subtype").Str() != "AT_AddColumn" || col.Get("colname").Str() != column) {
        continue;
      }
      // Only a GENERATED ... STORED column comes back with its values (computed from the row);
      // any other column comes back empty or with its default: the data is gone.
      JsonRef cons = col.Get("constraints");
      for (size_t k = 0; k < cons.size(); ++k) {
        if (cons.At(k).Get("Constraint").Get("contype").Str() == "CONSTR_GENERATED") return true;
      }
      return false;
    }
  }
  return false;
}

}  // namespace

void CheckBanDropColumn(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.facts().target_is_new) return;
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_DropColumn") return;
    // A column the pending set itself added is used by no deployed application.
    if (ctx.model()->IsNewColumn(ctx.facts().target, std::string(cmd.Get("name").Str()))) return;
    // Regenerated in the same transaction: no reader sees it missing, no value is lost.
    if (ReAddedInSameTransaction(ctx, ctx.facts().target, cmd.Get("name").Str())) return;
    ctx.Report(fmt::format("dropping column `{}` from {} breaks the running application if it "
                           "still reads or writes it, and loses the data",
                           cmd.Get("name").Str(), Target(ctx)),
               "stop using the column in the app first, deploy, then drop with -- strata:allow "
               "ban-drop-column reason=\"...\"");
  });
}

}  // namespace strata::lint
