// Renderers over LintResult: compiler-style text (file:line:col: severity[id]: message, the
// source line, a caret, the fix), JSON (everything, including lock analysis and risk classes),
// SARIF 2.1.0 for code scanning, and GitHub Actions workflow annotations. Secrets are redacted
// in every rendered string. Stateless; thread-safe.
#pragma once

#include "lint/linter.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace strata::lint {

// `color`: severities in ANSI colour (error red, warning yellow, info cyan).
// `jobs`: threads to render with (the output does not depend on it).
std::string RenderText(const LintResult& r, Severity fail_on, bool color = false, int jobs = 1);
nlohmann::json RenderJson(const LintResult& r, Severity fail_on);
nlohmann::json RenderSarif(const LintResult& r);
std::string RenderGithub(const LintResult& r);
// The bytes `strata lint --format json` prints (before its final newline): report::Dump of
// report::Envelope(RenderJson(r, fail_on), GateStatus(r, fail_on)), written straight from `r`
// without the DOM, the findings and migrations on up to `jobs` threads. `error` is the
// envelope's "error" value as report::Dump writes it ("null" when the gate passes). nullopt
// when a string is not valid UTF-8: use the DOM renderer, which reports that.
std::optional<std::string> RenderJsonText(const LintResult& r, Severity fail_on,
                                          std::string_view error, int jobs = 1);
// Likewise report::Dump(RenderSarif(r)).
std::optional<std::string> RenderSarifText(const LintResult& r, int jobs = 1);
// The outcome `strata lint --json` reports beside the findings: OK, or kLint counting the
// findings at or above `fail_on`, with the hint to fix or suppress them.
Status GateStatus(const LintResult& r, Severity fail_on);
// `--rules`: one line per rule (id, name, severity, summary).
std::string RenderRuleList();
nlohmann::json RuleListJson();

}  // namespace strata::lint
