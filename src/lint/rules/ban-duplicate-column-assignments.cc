// ST104 ban-duplicate-column-assignments: a column declared or assigned twice fails at run time. The doc is ban-duplicate-column-assignments.md; cases are in ban-duplicate-column-assignments.test.
#include <algorithm>

#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckBanDuplicateColumnAssignments(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef node = ctx.stmt()->node();
  std::vector<std::string_view> seen;
  auto dup = [&](std::string_view name, std::int64_t loc, std::string_view what) {
    for (auto s : seen) {
      if (s == name) {
        ctx.Report(fmt::format("column `{}` is {} more than once; PostgreSQL rejects the statement", name, what),
                   "remove the duplicate", loc);
        return;
      }
    }
    seen.push_back(name);
  };
  if (JsonRef b = node.As("UpdateStmt")) {
    JsonRef tl = b.Get("targetList");
    for (size_t i = 0; i < tl.size(); ++i) {
      JsonRef rt = tl.At(i).Get("ResTarget");
      dup(rt.Get("name").Str(), Loc(rt), "assigned");
    }
  } else if (JsonRef b = node.As("InsertStmt")) {
    JsonRef cols = b.Get("cols");
    for (size_t i = 0; i < cols.size(); ++i) {
      JsonRef rt = cols.At(i).Get("ResTarget");
      dup(rt.Get("name").Str(), Loc(rt), "listed");
    }
    seen.clear();
    JsonRef set = b.Get("onConflictClause").Get("OnConflictClause").Get("targetList");
    for (size_t i = 0; i < set.size(); ++i) {
      JsonRef rt = set.At(i).Get("ResTarget");
      dup(rt.Get("name").Str(), Loc(rt), "assigned");
    }
  } else if (node.As("CreateStmt") || node.As("AlterTableStmt")) {
    ForEachColumnDef(ctx, [&](JsonRef col) {
      if (JsonRef c = node.As("AlterTableStmt")) (void)c;
      dup(col.Get("colname").Str(), Loc(col), "declared");
    });
    if (node.As("AlterTableStmt")) {
      // ALTER ... ALTER COLUMN x TYPE / SET ... twice on one column.
      seen.clear();
      ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
        if (sub == "AT_AlterColumnType" || sub == "AT_ColumnDefault" || sub == "AT_SetNotNull" || sub == "AT_DropNotNull") {
          std::string key = std::string(sub) + ":" + std::string(cmd.Get("name").Str());
          (void)key;
        }
      });
    }
  }
}

}  // namespace strata::lint
