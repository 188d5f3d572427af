// ID105 identifier-updated: UPDATE (directly, through a simple view, in INSERT ... ON CONFLICT DO
// UPDATE or MERGE) that assigns a contracted identifier column. The doc is
// identifier-updated.md; cases are in identifier-updated.test.
#include "lint/rules/identifier_helpers.h"

namespace strata::lint {

namespace {
void CheckTargets(Context& ctx, const analysis::TableRef& t, analysis::JsonRef targets,
                  std::string_view how) {
  using namespace rules;  // NOLINT
  for (size_t i = 0; i < targets.size(); ++i) {
    analysis::JsonRef rt = targets.At(i).Get("ResTarget");
    std::string col(rt.Get("name").Str());
    const Contract* c = ContractedColumn(ctx, t, col);
    if (!c) continue;
    Resolved r = ResolveRelation(ctx, t);
    std::string via =
        r.view ? fmt::format(" (through view `{}` over `{}`)", t.Display(), r.table.Display()) : "";
    ctx.Report(fmt::format("{} column `{}` of `{}`{}: the {}; ids its consumers hold stop "
                           "resolving, silently",
                           how, col, t.Display(), via, Named(*c)),
               MappingHelp(*c), rt.Get("location").Int(-1));
    return;
  }
}
}  // namespace

void CheckIdentifierUpdated(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.config().identifiers.empty()) return;
  JsonRef node = ctx.stmt()->node();
  if (JsonRef u = node.As("UpdateStmt")) {
    CheckTargets(ctx, analysis::TableRefFromRangeVar(u.Get("relation")), u.Get("targetList"),
                 "UPDATE sets");
  } else if (JsonRef ins = node.As("InsertStmt")) {
    JsonRef oc = ins.Get("onConflictClause").Get("OnConflictClause");
    if (!oc) oc = ins.Get("onConflictClause");
    if (oc.Get("action").Str() == "ONCONFLICT_UPDATE") {
      CheckTargets(ctx, analysis::TableRefFromRangeVar(ins.Get("relation")), oc.Get("targetList"),
                   "INSERT ... ON CONFLICT DO UPDATE sets");
    }
  } else if (JsonRef m = node.As("MergeStmt")) {
    JsonRef whens = m.Get("mergeWhenClauses");
    for (size_t i = 0; i < whens.size(); ++i) {
      JsonRef w = whens.At(i).Get("MergeWhenClause");
      if (w.Get("commandType").Str() == "CMD_UPDATE") {
        CheckTargets(ctx, analysis::TableRefFromRangeVar(m.Get("relation")), w.Get("targetList"),
                     "MERGE ... UPDATE sets");
      }
    }
  }
}

}  // namespace strata::lint
