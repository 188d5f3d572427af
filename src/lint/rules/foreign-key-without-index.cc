// CN111 foreign-key-without-index: a FOREIGN KEY whose referencing columns lead no index. The
// doc is foreign-key-without-index.md; cases are in foreign-key-without-index.test.
//
// Precision first: it reports only when it knows every index of the referencing table (the
// model read its CREATE TABLE, or the live catalog has it) and none of them, nor one a later
// statement of the run creates (this file or a later migration: the safe recipe puts the index
// in a file of its own), serves a lookup by the referencing columns. A foreign key the run drops
// again (its constraint, a column of it, its table) is not reported.
#include "analysis/model.h"
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {
namespace {

using analysis::ForeignKey;
using analysis::IndexKey;
using analysis::JsonRef;
using analysis::TableRef;

struct Added {
  ForeignKey fk;
  std::int64_t location = -1;
};

std::vector<std::string> Strings(JsonRef list) {
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i)
    out.emplace_back(list.At(i).Get("String").Get("sval").Str());
  return out;
}

void AddIfForeign(std::vector<Added>& out, const TableRef& child, JsonRef c,
                  std::string_view column) {
  if (c.Get("contype").Str() != "CONSTR_FOREIGN") return;
  Added a;
  a.fk.child = child;
  a.fk.parent = analysis::TableRefFromRangeVar(c.Get("pktable"));
  a.fk.columns = Strings(c.Get("fk_attrs"));
  if (a.fk.columns.empty() && !column.empty()) a.fk.columns.emplace_back(column);
  a.fk.name = analysis::ForeignKeyName(child, c, a.fk.columns);
  a.location = rules::Loc(c);
  if (!a.fk.columns.empty()) out.push_back(std::move(a));
}

// What a statement does to the foreign key `*fk` (on `*child`; both follow renames of the
// table, its columns and the constraint):
// kCovered when it creates an index serving it, kGone when it drops it, else kNothing.
enum class Effect { kNothing, kCovered, kGone };

Effect EffectOf(JsonRef node, ForeignKey* fk, TableRef* child) {
  auto on_child = [&](JsonRef rv) {
    return analysis::TableRefFromRangeVar(rv).Key() == child->Key();
  };
  if (JsonRef ix = node.As("IndexStmt")) {
    if (!on_child(ix.Get("relation"))) return Effect::kNothing;
    return analysis::IndexServesLookup(analysis::IndexKeyFrom(ix, ""), fk->columns)
               ? Effect::kCovered
               : Effect::kNothing;
  }
  if (JsonRef at = node.As("AlterTableStmt")) {
    if (!on_child(at.Get("relation"))) return Effect::kNothing;
    JsonRef cmds = at.Get("cmds");
    for (size_t i = 0; i < cmds.size(); ++i) {
      JsonRef cmd = cmds.At(i).Get("AlterTableCmd");
      std::string_view sub = cmd.Get("subtype").Str();
      JsonRef def = cmd.Get("def");
      IndexKey ix;
      if (sub == "AT_AddConstraint" &&
          analysis::ConstraintIndexKey(def.Get("Constraint"), "", &ix) &&
          analysis::IndexServesLookup(ix, fk->columns)) {
        return Effect::kCovered;
      }
      if (sub == "AT_DropConstraint" && cmd.Get("name").Str() == fk->name) return Effect::kGone;
      if (sub == "AT_DropColumn" && std::find(fk->columns.begin(), fk->columns.end(),
                                              cmd.Get("name").Str()) != fk->columns.end()) {
        return Effect::kGone;
      }
    }
    return Effect::kNothing;
  }
  if (JsonRef rn = node.As("RenameStmt")) {
    if (!on_child(rn.Get("relation"))) return Effect::kNothing;
    if (rn.Get("renameType").Str() == "OBJECT_TABLE") {
      child->name = std::string(rn.Get("newname").Str());
    } else if (rn.Get("renameType").Str() == "OBJECT_COLUMN") {
      std::replace(fk->columns.begin(), fk->columns.end(), std::string(rn.Get("subname").Str()),
                   std::string(rn.Get("newname").Str()));
    } else if (rn.Get("renameType").Str() == "OBJECT_TABCONSTRAINT" &&
               rn.Get("subname").Str() == fk->name) {
      fk->name = std::string(rn.Get("newname").Str());
    }
    return Effect::kNothing;
  }
  if (JsonRef d = node.As("DropStmt")) {
    if (d.Get("removeType").Str() != "OBJECT_TABLE") return Effect::kNothing;
    JsonRef objs = d.Get("objects");
    for (size_t i = 0; i < objs.size(); ++i) {
      if (analysis::DropObject(d, i).Key() == child->Key()) return Effect::kGone;
    }
  }
  return Effect::kNothing;
}

// Whether a later statement of this file or of a later migration of the run creates an index
// serving `fk`, or drops it.
bool LaterCoversOrDrops(const Context& ctx, ForeignKey fk) {
  TableRef child = fk.child;
  const auto& here = ctx.file().parsed.statements;
  for (size_t i = ctx.stmt()->index + 1; i < here.size(); ++i) {
    if (here[i].node && EffectOf(here[i].node, &fk, &child) != Effect::kNothing) return true;
  }
  const analysis::LaterFiles* later = ctx.later_files();
  if (!later) return false;
  for (size_t f = ctx.file_index() + 1; f < later->size(); ++f) {
    std::string_view text = later->Text(f);
    if (static_cast<std::int64_t>(text.size()) > ctx.config().max_file_bytes) continue;
    std::string word = child.name;
    std::transform(word.begin(), word.end(), word.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; });
    if (!rules::ContainsIgnoreCase(text, word)) continue;
    for (const auto& st : later->Parsed(f).statements) {
      if (st.node && EffectOf(st.node, &fk, &child) != Effect::kNothing) return true;
    }
  }
  return false;
}

bool LiveHas(const Context& ctx, const TableRef& t) {
  const LiveInfo* live = ctx.live();
  if (!live) return false;
  return live->tables.count(t.Key()) ||
         (t.schema.empty() && live->tables.count("public." + t.name));
}

}  // namespace

void CheckForeignKeyWithoutIndex(Context& ctx) {
  using namespace rules;  // NOLINT
  const analysis::Facts& f = ctx.facts();
  if (f.target.empty()) return;
  std::vector<Added> added;
  // Indexes the statement itself creates (a CREATE TABLE's keys, an ALTER TABLE's ADD UNIQUE).
  std::vector<IndexKey> own;
  bool known = false;
  if (JsonRef c = ctx.stmt()->node().As("CreateStmt")) {
    // The table is made here: its indexes are the ones it declares, unless it is a partition
    // (its parent's indexes) or copies another table's (LIKE ... INCLUDING).
    if (c.Get("if_not_exists").Bool() && ctx.model()->Find(f.target)) return;
    known = !c.Get("partbound");
    JsonRef elts = c.Get("tableElts");
    for (size_t i = 0; i < elts.size(); ++i) {
      IndexKey ix;
      if (JsonRef col = elts.At(i).Get("ColumnDef")) {
        std::string_view name = col.Get("colname").Str();
        ForEachColumnConstraint(col, [&](JsonRef k) {
          AddIfForeign(added, f.target, k, name);
          IndexKey cix;
          if (analysis::ConstraintIndexKey(k, name, &cix)) own.push_back(cix);
        });
      } else if (JsonRef k = elts.At(i).Get("Constraint")) {
        AddIfForeign(added, f.target, k, "");
        if (analysis::ConstraintIndexKey(k, "", &ix)) own.push_back(ix);
      } else if (JsonRef like = elts.At(i).Get("TableLikeClause")) {
        if (like.Get("options").Int(0) != 0) known = false;
      }
    }
  } else {
    ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
      JsonRef def = cmd.Get("def");
      IndexKey ix;
      if (sub == "AT_AddConstraint") {
        AddIfForeign(added, f.target, def.Get("Constraint"), "");
        if (analysis::ConstraintIndexKey(def.Get("Constraint"), "", &ix)) own.push_back(ix);
      } else if (sub == "AT_AddColumn") {
        JsonRef col = def.Get("ColumnDef");
        std::string_view name = col.Get("colname").Str();
        ForEachColumnConstraint(col, [&](JsonRef k) {
          AddIfForeign(added, f.target, k, name);
          IndexKey cix;
          if (analysis::ConstraintIndexKey(k, name, &cix)) own.push_back(cix);
        });
      }
    });
    if (added.empty()) return;
    const auto* ix = ctx.model()->Indexes(f.target);
    known = (ix && ix->known) || LiveHas(ctx, f.target);
    if (ix) own.insert(own.end(), ix->indexes.begin(), ix->indexes.end());
  }
  if (!known) return;
  for (const Added& a : added) {
    bool served = std::any_of(own.begin(), own.end(), [&](const IndexKey& k) {
      return analysis::IndexServesLookup(k, a.fk.columns);
    });
    if (served || LaterCoversOrDrops(ctx, a.fk)) continue;
    std::string cols, quoted;
    for (const auto& c : a.fk.columns) {
      cols += (cols.empty() ? "" : ", ") + c;
      quoted += (quoted.empty() ? "`" : ", `") + c + "`";
    }
    ctx.Report(
        fmt::format("foreign key `{}` on {} ({}): no index of {} starts with {}{}, so every "
                    "DELETE from `{}` (and UPDATE of its key) scans {} for referencing rows, "
                    "holding the row locks meanwhile, and joins on the key are slow",
                    a.fk.name, Target(ctx), cols, Target(ctx),
                    a.fk.columns.size() > 1 ? "any of " : "", quoted, a.fk.parent.Display(),
                    Target(ctx)),
        f.target_is_new
            ? fmt::format("create the index with the table, in this migration: CREATE INDEX ON {} "
                          "({}); (a new table needs no CONCURRENTLY)",
                          f.target.Display(), cols)
            : fmt::format("create the index in a migration of its own with `-- strata:transaction "
                          "off`: CREATE INDEX CONCURRENTLY ON {} ({});",
                          f.target.Display(), cols),
        a.location);
  }
}

}  // namespace strata::lint
