// ID106 identifier-rows-deleted: DELETE, TRUNCATE or MERGE ... DELETE that removes rows of a
// table whose identifier contract forbids deleting (`deletes = "never"` or "tombstone") —
// directly, through a simple view, through ON DELETE CASCADE from a parent table, or through
// TRUNCATE ... CASCADE. The doc is identifier-rows-deleted.md; cases are in
// identifier-rows-deleted.test.
#include "lint/rules/identifier_helpers.h"

namespace strata::lint {

namespace {
// Reports the first protected table the removal of rows of `t` reaches; true when it did.
bool CheckReach(Context& ctx, const analysis::TableRef& t, bool truncate_cascade,
                bool delete_cascade, std::string_view how) {
  using namespace rules;  // NOLINT
  Resolved r = ResolveRelation(ctx, t);
  for (const Reached& x : CascadeReach(ctx, t, truncate_cascade, delete_cascade)) {
    const Contract* c = NoDeleteContract(ctx, x.table);
    if (!c) continue;
    std::string path;
    if (r.view) path = fmt::format(" through view `{}`", t.Display());
    if (!x.via.empty()) {
      path += fmt::format(" and, by {} from `{}`, rows of `{}`",
                          truncate_cascade ? "TRUNCATE ... CASCADE" : "ON DELETE CASCADE",
                          x.via.Display(), x.table.Display());
    }
    std::string allowed = c->deletes == identifiers::Deletes::kTombstone
                              ? fmt::format("rows are only tombstoned (`{}`)", c->tombstone_column)
                              : std::string("rows are never deleted");
    ctx.Report(fmt::format("{} `{}`{}: the {} says {}; ids its consumers hold vanish", how,
                           t.Display(), path, Named(*c), allowed),
               c->deletes == identifiers::Deletes::kTombstone
                   ? fmt::format("set `{}` instead of deleting: the rows stay resolvable; "
                                 "duplicates are merged through a mapping (`strata identifiers "
                                 "map create {}`)",
                                 c->tombstone_column, c->name)
                   : fmt::format("keep the rows (archive, do not delete); duplicates are merged "
                                 "through a mapping (`strata identifiers map create {}`); if the "
                                 "consumers agreed, declare `deletes = \"allowed\"` at {}:{}",
                                 c->name, c->file, c->line));
    return true;
  }
  return false;
}
}  // namespace

void CheckIdentifierRowsDeleted(Context& ctx) {
  using namespace rules;  // NOLINT
  if (ctx.config().identifiers.empty()) return;
  JsonRef node = ctx.stmt()->node();
  if (JsonRef d = node.As("DeleteStmt")) {
    CheckReach(ctx, analysis::TableRefFromRangeVar(d.Get("relation")), false, true,
               "DELETE removes rows of");
  } else if (JsonRef t = node.As("TruncateStmt")) {
    bool cascade = t.Get("behavior").Str() == "DROP_CASCADE";
    JsonRef rels = t.Get("relations");
    for (size_t i = 0; i < rels.size(); ++i) {
      if (CheckReach(ctx, analysis::TableRefFromRangeVar(rels.At(i).Get("RangeVar")), cascade,
                     false, cascade ? "TRUNCATE ... CASCADE empties" : "TRUNCATE empties")) {
        return;
      }
    }
  } else if (JsonRef m = node.As("MergeStmt")) {
    JsonRef whens = m.Get("mergeWhenClauses");
    for (size_t i = 0; i < whens.size(); ++i) {
      if (whens.At(i).Get("MergeWhenClause").Get("commandType").Str() == "CMD_DELETE") {
        CheckReach(ctx, analysis::TableRefFromRangeVar(m.Get("relation")), false, true,
                   "MERGE ... DELETE removes rows of");
        return;
      }
    }
  } else {
    // Inside a DO block or function body: the statement's table is all that is known.
    for (const auto& e : ctx.stmt()->embedded) {
      if (e.kind != StatementKind::kDelete && e.kind != StatementKind::kTruncate) continue;
      if (e.target.empty()) continue;
      if (CheckReach(ctx, e.target, false, e.kind == StatementKind::kDelete,
                     "a DELETE or TRUNCATE in the body removes rows of")) {
        return;
      }
    }
  }
}

}  // namespace strata::lint
