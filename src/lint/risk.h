// Risk classes (seed 003, lifecycle strictness matrix): each migration gets every class that
// applies, the strictest one as its class, and the union of the gates they require.
// Pure functions; thread-safe.
#pragma once

#include "analysis/analysis.h"
#include "lint/linter.h"

#include <string_view>
#include <vector>

namespace strata::lint {

struct RiskClassInfo {
  std::string_view name;   // "large-table-ddl"
  std::string_view gates;  // "lock analysis; rehearsal; production guardrail"
};
// All classes, strictest first.
const std::vector<RiskClassInfo>& RiskClasses();

// Fills mr->risk_class, classes and gates from the statements' facts and the findings.
void ClassifyMigration(const analysis::FileAnalysis& file, const MigrationInfo& mi,
                       const std::vector<Finding>& findings, const LintConfig& config,
                       const LiveInfo* live, MigrationReport* mr);

}  // namespace strata::lint
