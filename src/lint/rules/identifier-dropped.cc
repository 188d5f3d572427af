// ID101 identifier-dropped: DROP COLUMN of a contracted identifier column, or DROP TABLE (DROP
// SCHEMA ... CASCADE) of a table that holds one. The doc is identifier-dropped.md; cases are in
// identifier-dropped.test.
#include "lint/rules/identifier_helpers.h"

namespace strata::lint {

void CheckIdentifierDropped(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& ids = ctx.config().identifiers;
  if (ids.empty()) return;
  JsonRef node = ctx.stmt()->node();
  if (JsonRef alter = node.As("AlterTableStmt")) {
    analysis::TableRef t = analysis::TableRefFromRangeVar(alter.Get("relation"));
    ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
      if (sub != "AT_DropColumn") return;
      std::string col(cmd.Get("name").Str());
      if (const Contract* c = ContractedColumn(ctx, t, col)) {
        ctx.Report(fmt::format("drops column `{}` of `{}`: the {}; every id it holds is lost", col,
                               t.Display(), Named(*c)),
                   MappingHelp(*c));
      }
    });
    return;
  }
  JsonRef drop = node.As("DropStmt");
  if (!drop) return;
  std::string_view type = drop.Get("removeType").Str();
  JsonRef objs = drop.Get("objects");
  for (size_t i = 0; i < objs.size(); ++i) {
    if (type == "OBJECT_SCHEMA") {
      std::string schema(objs.At(i).Get("String").Get("sval").Str());
      if (drop.Get("behavior").Str() != "DROP_CASCADE") continue;
      for (const Contract& c : ids.all()) {
        if (base::EqualsIgnoreCase(c.schema, schema)) {
          ctx.Report(fmt::format("drops schema `{}` with CASCADE, and with it table `{}`: the {}",
                                 schema, c.QualifiedTable(), Named(c)),
                     MappingHelp(c));
          return;
        }
      }
      continue;
    }
    if (type != "OBJECT_TABLE") continue;
    analysis::TableRef t = analysis::DropObject(drop, i);
    for (const Contract* c : ids.OnTable(t.Display())) {
      ctx.Report(fmt::format("drops table `{}`: the {}; every id it holds is lost", t.Display(),
                             Named(*c)),
                 MappingHelp(*c));
      return;
    }
  }
}

}  // namespace strata::lint
