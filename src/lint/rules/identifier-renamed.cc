// ID102 identifier-renamed: RENAME of a contracted identifier column, or of its table (RENAME TO,
// SET SCHEMA). The doc is identifier-renamed.md; cases are in identifier-renamed.test.
#include "lint/rules/identifier_helpers.h"

namespace strata::lint {

void CheckIdentifierRenamed(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& ids = ctx.config().identifiers;
  if (ids.empty()) return;
  JsonRef node = ctx.stmt()->node();
  if (JsonRef r = node.As("RenameStmt")) {
    std::string_view kind = r.Get("renameType").Str();
    analysis::TableRef t = analysis::TableRefFromRangeVar(r.Get("relation"));
    std::string to(r.Get("newname").Str());
    if (kind == "OBJECT_COLUMN") {
      std::string col(r.Get("subname").Str());
      if (const Contract* c = ContractedColumn(ctx, t, col)) {
        ctx.Report(fmt::format("renames column `{}` of `{}` to `{}`: the {}; every reader and "
                               "partner query that names it breaks",
                               col, t.Display(), to, Named(*c)),
                   MappingHelp(*c));
      }
    } else if (kind == "OBJECT_TABLE") {
      for (const Contract* c : ids.OnTable(t.Display())) {
        ctx.Report(
            fmt::format("renames table `{}` to `{}`: it holds the {}", t.Display(), to, Named(*c)),
            MappingHelp(*c));
        return;
      }
    }
    return;
  }
  if (JsonRef s = node.As("AlterObjectSchemaStmt")) {
    if (s.Get("objectType").Str() != "OBJECT_TABLE") return;
    analysis::TableRef t = analysis::TableRefFromRangeVar(s.Get("relation"));
    for (const Contract* c : ids.OnTable(t.Display())) {
      ctx.Report(fmt::format("moves table `{}` to schema `{}`: it holds the {}", t.Display(),
                             s.Get("newschema").Str(), Named(*c)),
                 MappingHelp(*c));
      return;
    }
  }
}

}  // namespace strata::lint
