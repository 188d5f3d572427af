// `-- strata:allow <rule>[,<rule>] reason="..."` suppressions. A directive before the file's
// first statement covers the whole file; elsewhere it covers the next statement. A suppression
// without a reason, naming an unknown rule, or suppressing nothing is itself a finding
// (SY102, SY103, SY104). Pure functions; thread-safe.
#pragma once

#include "analysis/analysis.h"
#include "lint/linter.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::lint {

struct Suppression {
  SuppressionRecord record;
  int column = 1;
  int statement_index = -1;  // covered statement, -1 for file scope
  // A `-- safety-assured:start/end` block (diesel-guard): every rule, statements
  // statement_index..last_statement.
  bool block = false;
  int last_statement = -1;
};

// Finds every allow directive in `text`; with `safety_assured`, also diesel-guard's
// `-- safety-assured:start` ... `-- safety-assured:end` blocks (docs/lint.md, "Suppressions").
std::vector<Suppression> ParseSuppressions(std::string_view text, const std::string& path,
                                           const analysis::FileAnalysis& file,
                                           bool safety_assured = false);

// Marks covered findings suppressed, counts uses, and appends SY10x findings to `meta`.
void ApplySuppressions(std::vector<Suppression>& sups, std::vector<Finding>& findings,
                       const LintConfig& config,
                       const std::function<bool(std::string_view)>& meta_enabled,
                       std::vector<Finding>* meta);

}  // namespace strata::lint
