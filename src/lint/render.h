// Renderers over LintResult: compiler-style text (file:line:col: severity[id]: message, the
// source line, a caret, the fix), JSON (everything, including lock analysis and risk classes),
// SARIF 2.1.0 for code scanning, and GitHub Actions workflow annotations. Secrets are redacted
// in every rendered string. Stateless; thread-safe.
#pragma once

#include "lint/linter.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace strata::lint {

// `color`: severities in ANSI colour (error red, warning yellow, info cyan).
// `jobs`: threads to render with (the output does not depend on it).
std::string RenderText(const LintResult& r, Severity fail_on, bool color = false, int jobs = 1);
std::string RenderGithub(const LintResult& r);
// The bytes `strata lint --format json` prints (before its final newline), written straight
// from `r` (no DOM), the findings and migrations on up to `jobs` threads: the envelope
// (report::Envelope's "ok" and "error") with counts, findings (lock analysis, risk classes),
// migrations and suppressions, in report::Dump's layout (nlohmann's dump(2): keys sorted,
// two-space indent, nlohmann's escapes, every string redacted). `error` is the envelope's
// "error" value as report::Dump writes it ("null" when the gate passes). kEncoding when a
// string is not UTF-8 (JSON cannot carry it), naming the string.
Result<std::string> RenderJsonText(const LintResult& r, Severity fail_on, std::string_view error,
                                   int jobs = 1);
// SARIF 2.1.0 likewise (one run, every rule in the driver, results with suppressions).
Result<std::string> RenderSarifText(const LintResult& r, int jobs = 1);
// The same bytes in pieces, to be written one after the other: the slices rendered on other
// threads are not copied into one buffer (the JSON report of 100,000 statements is ~90 MB).
using Pieces = std::vector<std::string>;
Result<Pieces> RenderJsonPieces(const LintResult& r, Severity fail_on, std::string_view error,
                                int jobs = 1);
Result<Pieces> RenderSarifPieces(const LintResult& r, int jobs = 1);
// The outcome `strata lint --json` reports beside the findings: OK, or kLint counting the
// findings at or above `fail_on`, with the hint to fix or suppress them.
Status GateStatus(const LintResult& r, Severity fail_on);
// `--rules`: one line per rule (id, name, severity, summary).
std::string RenderRuleList();
nlohmann::json RuleListJson();

}  // namespace strata::lint
