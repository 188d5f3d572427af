// ST104 ban-duplicate-column-assignments: a column declared or assigned twice fails at run time.
// The doc is ban-duplicate-column-assignments.md; cases are in
// ban-duplicate-column-assignments.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

namespace {

// PostgreSQL's FigureColnameInternal over a raw expression: sets `name` and returns the
// strength (2 a real name, 1 a type or keyword fallback, 0 none: "?column?"). Expressions this
// does not model leave `name` empty and return -1, so they are never reported as duplicates.
int FigureColname(analysis::JsonRef e, std::string& name) {
  using analysis::JsonRef;
  auto last_string = [](JsonRef list) -> std::string_view {
    if (list.size() == 0) return {};
    return list.At(list.size() - 1).Get("String").Get("sval").Str();
  };
  std::string_view t = e.NodeType();
  JsonRef b = e.NodeBody();
  if (t == "ColumnRef") {
    JsonRef fields = b.Get("fields");
    if (fields.size() == 0 || fields.At(fields.size() - 1).Get("A_Star")) return 0;
    name = std::string(last_string(fields));
    return 2;
  }
  if (t == "A_Indirection") {
    JsonRef ind = b.Get("indirection");
    if (ind.size() > 0 && ind.At(ind.size() - 1).Get("String")) {
      name = std::string(last_string(ind));
      return 2;
    }
    return FigureColname(b.Get("arg"), name);
  }
  if (t == "FuncCall") {
    name = std::string(last_string(b.Get("funcname")));
    return 2;
  }
  if (t == "A_Expr") {
    if (b.Get("kind").Str() == "AEXPR_NULLIF") {
      name = "nullif";
      return 2;
    }
    return 0;
  }
  if (t == "TypeCast") {
    int strength = FigureColname(b.Get("arg"), name);
    if (strength <= 1) {
      std::string_view type = last_string(b.Get("typeName").Get("names"));
      if (!type.empty()) {
        name = std::string(type);
        return 1;
      }
    }
    return strength;
  }
  if (t == "CollateClause") return FigureColname(b.Get("arg"), name);
  if (t == "GroupingFunc") {
    name = "grouping";
    return 2;
  }
  if (t == "SubLink") {
    std::string_view kind = b.Get("subLinkType").Str();
    if (kind == "EXISTS_SUBLINK") {
      name = "exists";
      return 2;
    }
    if (kind == "ARRAY_SUBLINK") {
      name = "array";
      return 2;
    }
    if (kind == "EXPR_SUBLINK") {
      // The subquery's single output column, as PostgreSQL named it.
      JsonRef targets = b.Get("subselect").Get("SelectStmt").Get("targetList");
      if (targets.size() == 0) return -1;
      JsonRef rt = targets.At(0).Get("ResTarget");
      if (JsonRef n = rt.Get("name")) {
        name = std::string(n.Str());
        return 2;
      }
      int s = FigureColname(rt.Get("val"), name);
      if (s < 0) return -1;
      if (s == 0) name = "?column?";
      return 2;
    }
    return 0;
  }
  if (t == "CaseExpr") {
    int strength = FigureColname(b.Get("defresult"), name);
    if (strength < 0 && b.Get("defresult")) return -1;
    if (strength <= 1) {
      name = "case";
      return 1;
    }
    return strength;
  }
  if (t == "A_ArrayExpr") {
    name = "array";
    return 2;
  }
  if (t == "RowExpr") {
    name = "row";
    return 2;
  }
  if (t == "CoalesceExpr") {
    name = "coalesce";
    return 2;
  }
  if (t == "MinMaxExpr") {
    name = b.Get("op").Str() == "IS_GREATEST" ? "greatest" : "least";
    return 2;
  }
  if (t == "A_Const" || t == "BoolExpr" || t == "NullTest" || t == "BooleanTest" ||
      t == "ParamRef") {
    return 0;
  }
  return -1;
}

}  // namespace

void CheckBanDuplicateColumnAssignments(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef node = ctx.stmt()->node();
  std::vector<std::string> seen;
  auto dup = [&](std::string name, std::int64_t loc, std::string_view what) {
    if (name.empty()) return;  // a name this rule cannot infer
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
  // The output name PostgreSQL infers for a select-list entry (parse_target.c,
  // FigureColnameInternal): "?column?" when it infers none, "" when this rule does not model the
  // expression (never reported).
  auto output_name = [](JsonRef rt) -> std::string {
    if (JsonRef n = rt.Get("name")) return std::string(n.Str());
    std::string name;
    return FigureColname(rt.Get("val"), name) > 0 || !name.empty() ? name : "?column?";
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
  } else if (node.As("CreateStmt")) {
    ForEachColumnDef(ctx, [&](JsonRef col) {
      dup(std::string(col.Get("colname").Str()), Loc(col), "declared");
    });
  } else if (node.As("AlterTableStmt")) {
    // ADD COLUMN declares a name; ALTER COLUMN ... TYPE names the column in the command (its
    // ColumnDef has no name). PostgreSQL rejects a name added twice and a type changed twice.
    std::vector<std::string> added, retyped;
    ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
      if (sub == "AT_AddColumn") {
        JsonRef col = cmd.Get("def").Get("ColumnDef");
        seen = std::move(added);
        dup(std::string(col.Get("colname").Str()), Loc(col), "declared");
        added = std::move(seen);
      } else if (sub == "AT_AlterColumnType") {
        seen = std::move(retyped);
        dup(std::string(cmd.Get("name").Str()), Loc(cmd.Get("def").Get("ColumnDef")),
            "given a new type");
        retyped = std::move(seen);
      }
    });
  }
}

}  // namespace strata::lint
