#include "lint/render.h"

#include "strata/version.h"

#include "base/ansi.h"
#include "base/redact.h"
#include "lint/registry.h"

#include <fmt/format.h>

namespace strata::lint {

namespace {

std::string Caret(const std::string& line, int column) {
  std::string out;
  for (int i = 1; i < column && static_cast<size_t>(i) <= line.size(); ++i) {
    out.push_back(line[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ');
  }
  out.push_back('^');
  return out;
}

nlohmann::json FindingJson(const Finding& f) {
  nlohmann::json j = {{"rule", f.rule_id},
                      {"name", f.rule_name},
                      {"severity", SeverityName(f.severity)},
                      {"file", f.file},
                      {"line", f.line},
                      {"column", f.column},
                      {"message", base::RedactSecrets(f.message)},
                      {"help", f.help},
                      {"suppressed", f.suppressed}};
  if (f.suppressed) j["suppression_reason"] = f.suppression_reason;
  if (f.escalated) j["escalated"] = true;
  if (!f.size_note.empty()) j["size"] = f.size_note;
  return j;
}

}  // namespace

std::string RenderText(const LintResult& r, Severity fail_on, bool color) {
  std::string out;
  int errors = 0, warnings = 0, infos = 0, suppressed = 0;
  for (const auto& f : r.findings) {
    if (f.suppressed) {
      ++suppressed;
      continue;
    }
    (f.severity == Severity::kError     ? errors
     : f.severity == Severity::kWarning ? warnings
                                        : infos)++;
    base::Ansi style = f.severity == Severity::kError     ? base::Ansi::kRed
                       : f.severity == Severity::kWarning ? base::Ansi::kYellow
                                                          : base::Ansi::kCyan;
    out += fmt::format("{}:{}:{}: {}[{}]: {}\n", f.file, f.line, f.column,
                       base::Paint(SeverityName(f.severity), style, color), f.rule_id,
                       base::RedactSecrets(f.message));
    if (!f.source_line.empty()) {
      std::string src = base::RedactSecrets(f.source_line);
      out += fmt::format("  {}\n  {}\n", src,
                         Caret(src, f.source_column > 0 ? f.source_column : f.column));
    }
    if (!f.size_note.empty()) {
      out += fmt::format("  size: {}{}\n", f.size_note,
                         f.escalated ? " (escalated: large table)" : "");
    }
    out += fmt::format("  fix: {} [{}]\n", f.help, f.rule_name);
  }
  for (const auto& s : r.suppressions) {
    out += fmt::format("{}:{}: allowed {} ({}): {} [{} finding(s)]\n", s.file, s.line,
                       fmt::join(s.rules, ","), s.file_scope ? "file" : "statement",
                       s.reason.empty() ? "<no reason>" : s.reason, s.used);
  }
  for (const auto& m : r.migrations) {
    if (m.risk_class == "small-additive-ddl" && m.findings == 0) continue;
    out += fmt::format("{}: class {}; gates: {}\n", m.path, m.risk_class, fmt::join(m.gates, "; "));
  }
  std::string target = r.sqlite_version.empty()
                           ? fmt::format("PostgreSQL {} ({})", r.pg_version, r.pg_version_source)
                           : fmt::format("SQLite {}", r.sqlite_version);
  out += fmt::format(
      "{} error(s), {} warning(s), {} info, {} suppressed in {} file(s), {} statement(s); {}{}\n",
      errors, warnings, infos, suppressed, r.migrations.size(), r.statements, target,
      r.CountAtLeast(fail_on) > 0 ? "" : "; ok");
  return out;
}

nlohmann::json RenderJson(const LintResult& r, Severity fail_on) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) findings.push_back(FindingJson(f));
  nlohmann::json migs = nlohmann::json::array();
  for (const auto& m : r.migrations) {
    nlohmann::json st = nlohmann::json::array();
    for (const auto& s : m.statements) {
      nlohmann::json j = {
          {"line", s.line},
          {"column", s.column},
          {"kind", s.kind},
          {"statement", base::RedactSecrets(s.summary)},
          {"target", s.target},
          {"target_is_new", s.target_is_new},
          {"lock", s.lock.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.lock)},
          {"blocks", {{"reads", s.blocks_reads}, {"writes", s.blocks_writes}}},
          {"rewrite", s.rewrite},
          {"scan", s.scan},
          {"concurrent", s.concurrent},
          {"reasons", s.reasons}};
      if (!s.other_locks.empty()) j["other_locks"] = s.other_locks;
      if (s.observed) j["observed"] = true;
      if (s.size.rows >= 0) j["size"] = {{"rows", s.size.rows}, {"bytes", s.size.bytes}};
      st.push_back(std::move(j));
    }
    migs.push_back({{"file", m.path},
                    {"risk_class", m.risk_class},
                    {"classes", m.classes},
                    {"gates", m.gates},
                    {"findings", m.findings},
                    {"statements", std::move(st)}});
  }
  nlohmann::json sups = nlohmann::json::array();
  for (const auto& s : r.suppressions) {
    sups.push_back({{"file", s.file},
                    {"line", s.line},
                    {"rules", s.rules},
                    {"reason", s.reason},
                    {"scope", s.file_scope ? "file" : "statement"},
                    {"used", s.used}});
  }
  int failing = r.CountAtLeast(fail_on);
  return {{"ok", r.status.ok() && failing == 0},
          {"dialect", r.sqlite_version.empty() ? "postgres" : "sqlite"},
          {"pg_version", r.pg_version},
          {"pg_version_source", r.pg_version_source},
          {"live", r.live},
          {"fail_on", SeverityName(fail_on)},
          {"counts",
           {{"error", r.CountAtLeast(Severity::kError)},
            {"warning", r.CountAtLeast(Severity::kWarning) - r.CountAtLeast(Severity::kError)},
            {"info", r.CountAtLeast(Severity::kInfo) - r.CountAtLeast(Severity::kWarning)},
            {"failing", failing},
            {"statements", r.statements},
            {"files", r.migrations.size()}}},
          {"findings", std::move(findings)},
          {"suppressions", std::move(sups)},
          {"migrations", std::move(migs)}};
}

nlohmann::json RenderSarif(const LintResult& r) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& rule : AllRules()) {
    rules.push_back({{"id", rule.id},
                     {"name", rule.name},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"helpUri", fmt::format("https://strata.dev/docs/rules/{}", rule.name)},
                     {"defaultConfiguration",
                      {{"level", rule.severity == Severity::kError     ? "error"
                                 : rule.severity == Severity::kWarning ? "warning"
                                                                       : "note"}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json res = {
        {"ruleId", f.rule_id},
        {"level", f.severity == Severity::kError     ? "error"
                  : f.severity == Severity::kWarning ? "warning"
                                                     : "note"},
        {"message", {{"text", base::RedactSecrets(f.message) + " Fix: " + f.help}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", {{"uri", f.file}}},
             {"region",
              {{"startLine", std::max(1, f.line)}, {"startColumn", std::max(1, f.column)}}}}}}}}};
    if (f.suppressed) {
      res["suppressions"] = {{{"kind", "inSource"}, {"justification", f.suppression_reason}}};
    }
    results.push_back(std::move(res));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "strata"},
                 {"version", kVersion},
                 {"informationUri", "https://strata.dev"},
                 {"rules", std::move(rules)}}}}},
             {"results", std::move(results)}}}}};
}

Status GateStatus(const LintResult& r, Severity fail_on) {
  int failing = r.CountAtLeast(fail_on);
  if (failing == 0) return Status::Ok();
  return Status(ErrorCode::kLint, fmt::format("{} finding(s) at or above --fail-on", failing))
      .WithHint(
          "fix them, or suppress one with `-- strata:allow <rule> reason=...` on the statement");
}

std::string RenderGithub(const LintResult& r) {
  auto esc = [](std::string s) {
    std::string o;
    for (char c : s) {
      if (c == '%')
        o += "%25";
      else if (c == '\r')
        o += "%0D";
      else if (c == '\n')
        o += "%0A";
      else
        o.push_back(c);
    }
    return o;
  };
  std::string out;
  for (const auto& f : r.findings) {
    if (f.suppressed) continue;
    std::string_view level = f.severity == Severity::kError     ? "error"
                             : f.severity == Severity::kWarning ? "warning"
                                                                : "notice";
    out += fmt::format("::{} file={},line={},col={},title={} {}::{}\n", level, f.file, f.line,
                       f.column, f.rule_id, f.rule_name,
                       esc(base::RedactSecrets(f.message) + " Fix: " + f.help));
  }
  return out;
}

std::string RenderRuleList() {
  std::string out;
  for (const auto& r : AllRules()) {
    out += fmt::format("{}  {:<40} {:<8}{} {}\n", r.id, r.name, SeverityName(r.severity),
                       r.default_on ? " " : "*", r.summary);
  }
  out += "(* = opt-in: enable with [lint] enable = [\"<name>\"])\n";
  return out;
}

nlohmann::json RuleListJson() {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : AllRules()) {
    a.push_back({{"id", r.id},
                 {"name", r.name},
                 {"severity", SeverityName(r.severity)},
                 {"default_on", r.default_on},
                 {"size_sensitive", r.size_sensitive},
                 {"squawk", r.squawk},
                 {"summary", r.summary}});
  }
  return {{"rules", a}};
}

}  // namespace strata::lint
