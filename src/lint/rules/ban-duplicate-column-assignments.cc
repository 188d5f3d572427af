// ST104 ban-duplicate-column-assignments: a column declared or assigned twice fails at run time.
// The doc is ban-duplicate-column-assignments.md; cases are in
// ban-duplicate-column-assignments.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanDuplicateColumnAssignments(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef node = ctx.stmt()->node();
  std::vector<std::string> seen;
  auto dup = [&](std::string name, std::int64_t loc, std::string_view what) {
    for (const auto& s : seen) {
      if (s == name) {
        ctx.Report(fmt::format("column `{}` is {} more than once; PostgreSQL rejects the statement",
                               name, what),
                   "remove the duplicate", loc);
        return;
      }
    }
    seen.push_back(std::move(name));
  };
  // The output name PostgreSQL infers for a select-list entry.
  auto output_name = [](JsonRef rt) -> std::string {
    if (JsonRef n = rt.Get("name")) return std::string(n.Str());
    JsonRef v = rt.Get("val");
    if (JsonRef cr = v.Get("ColumnRef")) {
      JsonRef f = cr.Get("fields");
      return std::string(f.At(f.size() - 1).Get("String").Get("sval").Str("?column?"));
    }
    if (JsonRef fc = v.Get("FuncCall")) {
      JsonRef f = fc.Get("funcname");
      return std::string(f.At(f.size() - 1).Get("String").Get("sval").Str());
    }
    return "?column?";
  };
  auto targets = [&](JsonRef list, std::string_view what, bool infer) {
    seen.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      JsonRef rt = list.At(i).Get("ResTarget");
      if (!rt) continue;
      dup(infer ? output_name(rt) : std::string(rt.Get("name").Str()), Loc(rt), what);
    }
  };
  auto conflict = [](JsonRef b) {
    JsonRef c = b.Get("onConflictClause");
    return c.Get("OnConflictClause") ? c.Get("OnConflictClause") : c;
  };
  if (JsonRef b = node.As("UpdateStmt")) {
    targets(b.Get("targetList"), "assigned", false);
  } else if (JsonRef b = node.As("InsertStmt")) {
    targets(b.Get("cols"), "listed", false);
    targets(conflict(b).Get("targetList"), "assigned", false);
  } else if (JsonRef b = node.As("MergeStmt")) {
    JsonRef whens = b.Get("mergeWhenClauses");
    for (size_t i = 0; i < whens.size(); ++i) {
      JsonRef w = whens.At(i).Get("MergeWhenClause");
      targets(w.Get("targetList"),
              w.Get("commandType").Str() == "CMD_INSERT" ? "listed" : "assigned", false);
    }
  } else if (JsonRef b = node.As("ViewStmt")) {
    JsonRef aliases = b.Get("aliases");
    if (aliases.size() > 0) {
      for (size_t i = 0; i < aliases.size(); ++i) {
        dup(std::string(aliases.At(i).Get("String").Get("sval").Str()), -1, "named");
      }
    } else if (JsonRef sel = b.Get("query").Get("SelectStmt")) {
      targets(sel.Get("targetList"), "named", true);
    }
  } else if (JsonRef b = node.As("SelectStmt")) {
    if (b.Get("intoClause")) targets(b.Get("targetList"), "named", true);
  } else if (JsonRef b = node.As("CreateForeignTableStmt")) {
    JsonRef elts = b.Get("base").Get("CreateStmt").Get("tableElts");
    if (!elts) elts = b.Get("base").Get("tableElts");
    for (size_t i = 0; i < elts.size(); ++i) {
      JsonRef col = elts.At(i).Get("ColumnDef");
      if (col) dup(std::string(col.Get("colname").Str()), Loc(col), "declared");
    }
  } else if (node.As("CreateStmt") || node.As("AlterTableStmt")) {
    ForEachColumnDef(ctx, [&](JsonRef col) {
      dup(std::string(col.Get("colname").Str()), Loc(col), "declared");
    });
  }
}

}  // namespace strata::lint
