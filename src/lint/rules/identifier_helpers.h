// Shared by the ID family (identifier contracts, db/identifiers.toml; seed 004, invariant 8):
// which contract a table or column belongs to (through a simple view too), the tables a DELETE
// or TRUNCATE reaches through cascades, and the message parts every ID rule uses (the
// identifier, who holds it, the safe path: a mapping). Header-only; pure.
#pragma once

#include "lint/rules/helpers.h"

#include <fmt/ranges.h>

#include <set>
#include <string>
#include <vector>

namespace strata::lint::rules {

using identifiers::Contract;

// A relation as a table the contracts can match: a simple view resolves to its base table.
struct Resolved {
  analysis::TableRef table;  // the base table
  const analysis::ViewInfo* view = nullptr;
};
inline Resolved ResolveRelation(const Context& ctx, const analysis::TableRef& t) {
  Resolved r{t, nullptr};
  for (int depth = 0; depth < 8; ++depth) {  // a view over a view, bounded
    const analysis::ViewInfo* v = ctx.model()->View(r.table);
    if (!v || !v->simple || v->base.empty()) break;
    if (!r.view) r.view = v;
    r.table = v->base;
  }
  return r;
}

// The base column a column of `t` (a table or a simple view, possibly over another view) is.
inline std::string BaseColumn(const Context& ctx, analysis::TableRef t, std::string column) {
  for (int depth = 0; depth < 8; ++depth) {
    const analysis::ViewInfo* v = ctx.model()->View(t);
    if (!v || !v->simple || v->base.empty()) break;
    auto it = v->columns.find(column);
    if (it != v->columns.end()) {
      column = it->second;
    } else if (!v->star) {
      return {};  // not a column of the view's base table
    }
    t = v->base;
  }
  return column;
}

// The contract `column` of `t` (resolved through views) belongs to, or nullptr.
inline const Contract* ContractedColumn(const Context& ctx, const analysis::TableRef& t,
                                        const std::string& column) {
  const auto& ids = ctx.config().identifiers;
  if (ids.empty()) return nullptr;
  std::string base = BaseColumn(ctx, t, column);
  if (base.empty()) return nullptr;
  return ids.ForColumn(ResolveRelation(ctx, t).table.Display(), base);
}

// The first contract on `t` (resolved through views) that forbids deleting rows, or nullptr.
inline const Contract* NoDeleteContract(const Context& ctx, const analysis::TableRef& t) {
  const auto& ids = ctx.config().identifiers;
  if (ids.empty()) return nullptr;
  for (const Contract* c : ids.OnTable(ResolveRelation(ctx, t).table.Display()))
    if (!c->MayDelete()) return c;
  return nullptr;
}

// Every table whose rows go when rows of `t` are deleted (`truncate`: truncated with CASCADE):
// `t` itself, then transitively the tables whose foreign keys reference it ON DELETE CASCADE
// (TRUNCATE ... CASCADE: every referencing foreign key). Each with the table it cascades from.
struct Reached {
  analysis::TableRef table;
  analysis::TableRef via;  // empty for `t` itself
};
inline std::vector<Reached> CascadeReach(const Context& ctx, const analysis::TableRef& t,
                                         bool truncate_cascade, bool delete_cascade = true) {
  std::vector<Reached> out{{ResolveRelation(ctx, t).table, {}}};
  std::set<std::string> seen{out[0].table.Key()};
  for (size_t i = 0; i < out.size(); ++i) {
    const analysis::TableRef parent = out[i].table;
    for (const auto& fk : ctx.model()->foreign_keys()) {
      if (!base::EqualsIgnoreCase(fk.parent.Key(), parent.Key())) continue;
      bool follows = truncate_cascade || (delete_cascade && fk.on_delete == 'c');
      if (!follows || !seen.insert(fk.child.Key()).second) continue;
      out.push_back({fk.child, parent});
    }
  }
  return out;
}

// "held by partner portal, billing export" or "(no consumers declared in db/identifiers.toml)".
inline std::string HeldBy(const Contract& c) {
  if (c.consumers.empty()) return "whose consumers are not declared";
  return fmt::format("held by {}", fmt::join(c.consumers, ", "));
}

// "identifier `quote_number` (quote(quote_number), held by partner portal)".
inline std::string Named(const Contract& c) {
  return fmt::format("identifier `{}` ({}, {}; {}:{})", c.name, c.Target(), HeldBy(c), c.file,
                     c.line);
}

// The safe path, one sentence.
inline std::string MappingHelp(const Contract& c) {
  return fmt::format(
      "an identifier others hold never changes in place: keep the column, and re-key through a "
      "verified mapping (`strata identifiers map create {}`, then fill, verify and publish it; "
      "docs/identifiers-map.md)",
      c.name);
}

}  // namespace strata::lint::rules
