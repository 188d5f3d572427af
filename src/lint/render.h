// Renderers over LintResult: compiler-style text (file:line:col: severity[id]: message, the
// source line, a caret, the fix), JSON (everything, including lock analysis and risk classes),
// SARIF 2.1.0 for code scanning, and GitHub Actions workflow annotations. Secrets are redacted
// in every rendered string. Stateless; thread-safe.
#pragma once

#include "lint/linter.h"

#include <nlohmann/json.hpp>

#include <string>

namespace strata::lint {

// `color`: severities in ANSI colour (error red, warning yellow, info cyan).
std::string RenderText(const LintResult& r, Severity fail_on, bool color = false);
nlohmann::json RenderJson(const LintResult& r, Severity fail_on);
nlohmann::json RenderSarif(const LintResult& r);
std::string RenderGithub(const LintResult& r);
// The outcome `strata lint --json` reports beside the findings: OK, or kLint counting the
// findings at or above `fail_on`, with the hint to fix or suppress them.
Status GateStatus(const LintResult& r, Severity fail_on);
// `--rules`: one line per rule (id, name, severity, summary).
std::string RenderRuleList();
nlohmann::json RuleListJson();

}  // namespace strata::lint
