// PO104 protected-object: a change to an object another owner protects ([lint] protected, strata's
// ledger). The doc is protected-object.md; cases are in protected-object.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

namespace {
// Case-insensitive glob (* and ?), for [lint] protected patterns.
bool GlobMatchCi(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  auto eq = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || eq(p[pi], s[si]))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else
      return false;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}
}  // namespace

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
      if (GlobMatchCi(p, t.name) || GlobMatchCi(p, full) ||
          (!t.schema.empty() && GlobMatchCi(p, t.schema + ".*")))
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
