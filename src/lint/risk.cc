#include "lint/risk.h"

#include "base/text.h"

#include <algorithm>

namespace strata::lint {

const std::vector<RiskClassInfo>& RiskClasses() {
  static const std::vector<RiskClassInfo> kClasses = {
      {"repair", "incident link; targeted predicate; closure evidence"},
      {"baseline", "equivalence proof; historical audit decision"},
      {"breaking-ddl", "expand/contract design; compatibility matrix; staged release"},
      {"large-backfill", "separate job lifecycle; checkpoint; monitoring"},
      {"large-table-ddl", "lock analysis; rehearsal; production guardrail"},
      {"dml-correction", "pre/post row count; business approval; sample validation"},
      {"security-grant", "security review; least privilege validation"},
      {"stored-logic", "consumer compatibility; repeatable validation"},
      {"reference-data", "ownership review; environment semantics"},
      {"small-additive-ddl", "PR review; CI migration test; staging apply"},
  };
  return kClasses;
}

namespace {
bool Contains(std::string_view hay, std::string_view needle) {
  return base::ToLower(hay).find(needle) != std::string::npos;
}
}  // namespace

void ClassifyMigration(const analysis::FileAnalysis& file, const MigrationInfo& mi,
                       const std::vector<Finding>& findings, const LintConfig& config,
                       const LiveInfo* live, MigrationReport* mr) {
  using analysis::StatementKind;
  std::vector<std::string_view> hit;
  auto add = [&](std::string_view c) {
    if (std::find(hit.begin(), hit.end(), c) == hit.end()) hit.push_back(c);
  };
  bool any_ddl = false, any_dml = false, only_insert = true, any_stmt = false;
  for (const auto& st : file.statements) {
    const auto& f = st.facts;
    if (f.kind == StatementKind::kSet || f.kind == StatementKind::kTransaction ||
        f.kind == StatementKind::kSelect || f.kind == StatementKind::kComment) {
      continue;
    }
    any_stmt = true;
    bool large = false;
    if (live && !f.target.empty()) {
      auto it = live->tables.find(f.target.Key());
      if (it != live->tables.end()) {
        large = it->second.rows >= config.large_rows || it->second.bytes >= config.large_bytes;
      }
    }
    switch (f.kind) {
      case StatementKind::kGrant:
      case StatementKind::kRole:
        add("security-grant");
        only_insert = false;
        break;
      case StatementKind::kCreateFunction:
      case StatementKind::kCreateView:
      case StatementKind::kCreateTrigger:
        add("stored-logic");
        only_insert = false;
        break;
      case StatementKind::kInsert:
      case StatementKind::kCopy:
        any_dml = true;
        if (large) add("large-backfill");
        break;
      case StatementKind::kUpdate:
      case StatementKind::kDelete:
        any_dml = true;
        only_insert = false;
        if (f.target_is_new) break;  // filling a table created in the set
        add(f.unbounded_dml || large ? "large-backfill" : "dml-correction");
        break;
      case StatementKind::kDo:
        only_insert = false;
        for (const auto& e : st.embedded) {
          if ((e.kind == StatementKind::kUpdate || e.kind == StatementKind::kDelete) &&
              !e.target_is_new) {
            any_dml = true;
            add(e.unbounded_dml ? "large-backfill" : "dml-correction");
          }
        }
        break;
      default:
        if (f.ddl || f.dml) {
          only_insert = false;
          any_ddl = any_ddl || f.ddl;
          if (f.kind == StatementKind::kTruncate) any_dml = true;
          bool heavy =
              (f.rewrite || f.scan || f.BlocksWrites()) && !f.target.empty() && !f.target_is_new;
          if (large || (heavy && (f.rewrite || f.scan))) add("large-table-ddl");
        }
        break;
    }
  }
  for (const auto& fd : findings) {
    std::string_view id = fd.rule_id;
    if (id.substr(0, 2) == "BC" || id == "CL104" || id == "CN108" || id == "CL102") {
      add("breaking-ddl");
    }
  }
  if (Contains(mi.description, "baseline")) add("baseline");
  if (any_dml && (Contains(mi.description, "repair") || Contains(mi.description, "correct") ||
                  Contains(mi.description, "hotfix"))) {
    add("repair");
  }
  if (mi.repeatable && hit.empty()) add("stored-logic");
  if (any_stmt && only_insert && any_dml) add("reference-data");
  if (hit.empty() && any_ddl) add("small-additive-ddl");
  if (hit.empty()) add("small-additive-ddl");
  for (const auto& c : RiskClasses()) {
    if (std::find(hit.begin(), hit.end(), c.name) == hit.end()) continue;
    if (mr->risk_class.empty()) mr->risk_class = std::string(c.name);
    mr->classes.emplace_back(c.name);
    std::string_view g = c.gates;
    while (!g.empty()) {
      size_t semi = g.find(';');
      std::string gate(base::Trim(g.substr(0, semi)));
      if (std::find(mr->gates.begin(), mr->gates.end(), gate) == mr->gates.end()) {
        mr->gates.push_back(gate);
      }
      if (semi == std::string_view::npos) break;
      g = g.substr(semi + 1);
    }
  }
}

}  // namespace strata::lint
