// PO104 protected-object: a change to an object another owner protects ([lint] protected, strata's
// ledger). The doc is protected-object.md; cases are in protected-object.test.
#include "lint/rules/helpers.h"
#include "migrate/discovery.h"

#include <algorithm>

namespace strata::lint {

// [lint] protected patterns match names case-insensitively.
constexpr bool kIgnoreCase = true;

void CheckProtectedObject(Context& ctx) {
  using namespace rules;  // NOLINT
  // The ledger table is always protected, whatever [lint] protected says.
  std::vector<std::string> pats = ctx.config().protected_patterns;
  if (!ctx.config().ledger_table.empty()) pats.push_back(ctx.config().ledger_table);
  const auto& f = ctx.facts();
  if (f.kind == StatementKind::kSelect || f.kind == StatementKind::kSet) return;
  auto matches = [&](const analysis::TableRef& t) -> std::string {
    std::string full = t.schema.empty() ? t.name : t.schema + "." + t.name;
    for (const auto& p : pats) {
      if (migrate::GlobMatch(p, t.name, kIgnoreCase) || migrate::GlobMatch(p, full, kIgnoreCase) ||
          (!t.schema.empty() && migrate::GlobMatch(p, t.schema + ".*", kIgnoreCase)))
        return p;
    }
    return {};
  };
  std::vector<analysis::TableRef> targets;
  if (!f.target.empty()) targets.push_back(f.target);
  for (const auto& e : ctx.stmt()->embedded)
    if (!e.target.empty()) targets.push_back(e.target);
  for (const auto& t : targets) {
    std::string p = matches(t);
    if (p.empty()) continue;
    if (f.kind == StatementKind::kCreateTable && t.name == f.target.name && !ctx.model()->Find(t))
      continue;
    ctx.Report(fmt::format("`{}` is protected (pattern `{}`): it belongs to another owner (another "
                           "service, a workflow engine, or strata's ledger)",
                           t.Display(), p),
               "change it through its owner; if this migration is the owner's, approve with -- "
               "strata:allow protected-object reason=\"...\"");
    return;
  }
}

}  // namespace strata::lint
