// ID103 identifier-type-changed: ALTER COLUMN ... TYPE of a contracted identifier column. The doc
// is identifier-type-changed.md; cases are in identifier-type-changed.test.
#include "lint/rules/identifier_helpers.h"

namespace strata::lint {

void CheckIdentifierTypeChanged(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.config().identifiers.empty()) return;
  JsonRef alter = ctx.stmt()->node().As("AlterTableStmt");
  if (!alter) return;
  analysis::TableRef t = analysis::TableRefFromRangeVar(alter.Get("relation"));
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub != "AT_AlterColumnType") return;
    std::string col(cmd.Get("name").Str());
    const Contract* c = ContractedColumn(ctx, t, col);
    if (!c) return;
    JsonRef def = cmd.Get("def").Get("ColumnDef");
    std::string type(analysis::TypeNameLast(def.Get("typeName")));
    ctx.Report(fmt::format("changes the type of column `{}` of `{}` to {}: the {}; the cast "
                           "rewrites every id (text form, padding, precision), format {}",
                           col, t.Display(), type.empty() ? "another type" : type, Named(*c),
                           identifiers::Describe(c->format)),
               MappingHelp(*c));
  });
}

}  // namespace strata::lint
