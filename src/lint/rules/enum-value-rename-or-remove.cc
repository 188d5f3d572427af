// BC109 enum-value-rename-or-remove: renaming or deleting an enum value breaks stored rows and old
// code. The doc is enum-value-rename-or-remove.md; cases are in enum-value-rename-or-remove.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckEnumValueChange(Context& ctx) {
  using namespace rules;  // NOLINT
  if (JsonRef b = ctx.stmt()->node().As("AlterEnumStmt")) {
    if (b.Get("oldVal").IsNull()) return;
    std::string type = analysis::DottedName(b.Get("typeName"));
    if (ctx.model()->EnumCreatedInSet(std::string(
            b.Get("typeName").At(b.Get("typeName").size() - 1).Get("String").Get("sval").Str())))
      return;
    ctx.Report(
        fmt::format("renaming enum value '{}' of `{}` to '{}' breaks the running app, which still "
                    "sends and expects the old label",
                    b.Get("oldVal").Str(), type, b.Get("newVal").Str()),
        "add the new value, make the app accept both, backfill rows, then stop using the old one");
    return;
  }
  const auto& f = ctx.facts();
  if ((f.kind == StatementKind::kDelete || f.kind == StatementKind::kUpdate) &&
      f.target.name == "pg_enum") {
    ctx.Report(
        "editing pg_enum directly removes or renames enum values behind PostgreSQL's back; rows "
        "holding them become unreadable",
        "create a new enum type, migrate the column to it (expand/contract), then drop the old "
        "type");
  }
}

}  // namespace strata::lint
