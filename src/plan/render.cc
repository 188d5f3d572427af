#include "plan/render.h"

#include "base/redact.h"
#include "base/text.h"
#include "report/render.h"

#include <fmt/format.h>

namespace strata::plan {

using nlohmann::json;
using report::StatusJson;

json ToJson(const PlanResult& r) {
  json rels = json::array();
  for (const auto& rel : r.releases) {
    json ms = json::array();
    for (const auto& m : rel.migrations) {
      json intent = json::object();
      for (const auto& [k, v] : m.intent) intent[k] = v;
      json st = json::array();
      for (const auto& s : m.statements) {
        st.push_back({{"line", s.line},
                      {"summary", s.summary},
                      {"effect", s.effect},
                      {"kind", s.kind},
                      {"lock", s.lock},
                      {"table", s.table},
                      {"target_is_new", s.target_is_new},
                      {"blocks_reads", s.blocks_reads},
                      {"blocks_writes", s.blocks_writes},
                      {"rewrite", s.rewrite},
                      {"scan", s.scan},
                      {"rewrites", s.rewrites},
                      {"reasons", s.reasons},
                      {"classified_by", s.classified_by},
                      {"live_rows", s.live_rows},
                      {"live_bytes", s.live_bytes}});
      }
      json lint = json::array();
      for (const auto& f : m.lint) {
        lint.push_back({{"rule_id", f.rule_id},
                        {"rule_name", f.rule_name},
                        {"severity", f.severity},
                        {"line", f.line},
                        {"column", f.column},
                        {"message", f.message},
                        {"help", f.help},
                        {"size_note", f.size_note},
                        {"escalated", f.escalated},
                        {"suppressed", f.suppressed},
                        {"suppression_reason", f.suppression_reason}});
      }
      json cs = json::array();
      for (const auto& c : m.checks) {
        cs.push_back({{"phase", c.phase},
                      {"name", c.name},
                      {"line", c.line},
                      {"query", c.query},
                      {"expected", c.expected}});
      }
      ms.push_back({{"script", m.script},
                    {"version", m.version},
                    {"description", m.description},
                    {"transactional", m.transactional},
                    {"pending", m.pending},
                    {"effect", m.effect},
                    {"intent", intent},
                    {"risk_class", m.risk_class},
                    {"analyzed_risk_class", m.analyzed_risk_class},
                    {"risk_classes", m.risk_classes},
                    {"gates", m.gates},
                    {"lint", lint},
                    {"recovery", m.recovery},
                    {"statements", st},
                    {"checks", cs},
                    {"findings", m.findings}});
    }
    json matrix = json::array();
    for (const auto& c : rel.matrix) {
      matrix.push_back({{"db_state", c.db_state},
                        {"old_app", c.old_app},
                        {"new_app", c.new_app},
                        {"justification", c.justification},
                        {"justified", c.justified}});
    }
    json surfaces = json::array();
    for (const auto& s : rel.surfaces) {
      surfaces.push_back(
          {{"surface", s.surface}, {"verdict", s.verdict}, {"statement", s.statement}});
    }
    rels.push_back({{"name", rel.name},
                    {"title", rel.title},
                    {"order", rel.order},
                    {"steps", rel.steps},
                    {"migrations", ms},
                    {"compatibility_matrix", matrix},
                    {"surfaces", surfaces},
                    {"stop_criteria", rel.stop_criteria},
                    {"failure_handling", rel.failure_handling},
                    {"roll_forward", rel.roll_forward},
                    {"findings", rel.findings}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"live", r.live},
          {"pg_version", r.pg_version},
          {"dialect_note", r.dialect_note},
          {"releases", rels},
          {"findings", r.findings},
          {"lint_findings", r.lint_findings},
          {"error", StatusJson(r.status)}};
}

namespace {
std::string Md(std::string_view s) { return base::MarkdownCell(s); }
std::string Blocks(const PlanStatement& s) {
  if (s.target_is_new) return "nothing (new table)";
  if (s.blocks_reads) return "reads, writes";
  if (s.blocks_writes) return "writes";
  return "—";
}
std::string Rewrites(const PlanStatement& s) {
  std::string what = s.rewrite ? "rewrite" : s.scan ? "scan" : s.rewrites ? "yes" : "no";
  if (what == "no") return what;
  if (s.target_is_new) return what + " (new table)";
  return s.reasons.empty() ? what : what + ": " + Md(s.reasons.front());
}
std::string Size(std::int64_t rows, std::int64_t bytes) {
  if (rows < 0 && bytes < 0) return "";
  std::string out = rows >= 0 ? fmt::format("{} rows", rows) : "? rows";
  if (bytes >= 0) out += fmt::format(", {} kB", bytes / 1024);
  return out;
}
}  // namespace

std::string ToMarkdown(const PlanResult& r) {
  std::string md;
  if (r.releases.empty()) {
    return fmt::format("Nothing to plan: no pending migration{}.\n",
                       r.target.empty() ? std::string() : " on " + r.target);
  }
  for (const auto& rel : r.releases) {
    md += fmt::format("# Runbook: release {}{}\n\n", rel.name,
                      rel.title.empty() ? std::string() : " — " + rel.title);
    md += fmt::format("Target: {}. Deployment order: **{}**.\n\n",
                      r.target.empty() ? std::string("any database (planned from files, --all)")
                                       : "`" + r.target + "` (table sizes read live)",
                      rel.order);
    md +=
        fmt::format("Statement facts and risk classes: strata's analyzer for PostgreSQL {}{}.\n\n",
                    r.pg_version, r.dialect_note.empty() ? "" : "; " + r.dialect_note);
    bool has_migrations = !rel.migrations.empty();
    if (has_migrations) md += "## Purpose\n\n";
    for (const auto& m : rel.migrations) {
      std::string purpose;
      for (const auto& [k, v] : m.intent) {
        if (k == "Business capability") purpose = v;
      }
      md +=
          fmt::format("- {}: {}\n", m.script, purpose.empty() ? "(no intent header)" : Md(purpose));
    }
    if (has_migrations) {
      md +=
          "\n## Scope\n\n| migration | effect | risk class (declared) | risk class (analyzed) | "
          "transaction | intent |\n|---|---|---|---|---|---|\n";
    } else {
      md +=
          "No migration ships in this release: it is a procedure (a backfill, an app deploy) "
          "between the releases around it.\n";
    }
    for (const auto& m : rel.migrations) {
      std::vector<std::string> intent;
      for (const auto& [k, v] : m.intent) {
        if (k != "Business capability") intent.push_back(fmt::format("{}: {}", k, v));
      }
      md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", m.script, m.effect,
                        m.risk_class.empty() ? "—" : m.risk_class,
                        m.analyzed_risk_class.empty() ? "—" : m.analyzed_risk_class,
                        m.transactional ? "one transaction" : "per statement",
                        Md(fmt::format("{}", fmt::join(intent, "; "))));
    }
    if (has_migrations) {
      md += "\nGates the analyzed risk classes require:\n\n";
      for (const auto& m : rel.migrations) {
        md += fmt::format("- {}: {}{}\n", m.script,
                          m.gates.empty() ? "—" : Md(fmt::format("{}", fmt::join(m.gates, "; "))),
                          m.risk_classes.size() > 1
                              ? fmt::format(" ({})", fmt::join(m.risk_classes, ", "))
                              : std::string());
      }
    }
    md +=
        "\n## Compatibility matrix\n\n| database state | old app | new app | justification |\n"
        "|---|---|---|---|\n";
    for (const auto& c : rel.matrix) {
      md += fmt::format("| {} | {} | {} | {}{} |\n", c.db_state, c.old_app, c.new_app,
                        Md(c.justification), c.justified ? "" : "**missing justification**");
    }
    md += "\n| surface | verdict | statement |\n|---|---|---|\n";
    for (const auto& s : rel.surfaces) {
      md += fmt::format("| {} | {} | {} |\n", s.surface, s.verdict, Md(s.statement));
    }
    md += "\n## Pre-checks\n\n";
    md +=
        "- Confirm the migrations are pending and nothing failed: `strata info`, `strata "
        "validate`\n";
    md += "- Confirm no long-running transaction holds the tables (pg_stat_activity)\n";
    md += "- Confirm the backup / recovery policy for this release\n";
    for (const auto& m : rel.migrations) {
      for (const auto& c : m.checks) {
        if (c.phase != "pre-check") continue;
        md += fmt::format("- {}:{} `{}`{} — run by strata before the migration\n", m.script, c.line,
                          Md(c.query),
                          c.expected.empty() ? std::string(" (captured as " + c.name + ")")
                                             : " expect " + Md(c.expected));
      }
    }
    md += "\n## Deployment order\n\n";
    for (size_t i = 0; i < rel.steps.size(); ++i) {
      md += fmt::format("{}. {}\n", i + 1, Md(rel.steps[i]));
    }
    if (has_migrations) {
      md +=
          "\n## Lock analysis\n\n| statement | effect | lock | table | blocks | live size | "
          "rewrites/scans |\n|---|---|---|---|---|---|---|\n";
    }
    bool by_keywords = false;
    for (const auto& m : rel.migrations) {
      for (const auto& s : m.statements) {
        bool kw = s.classified_by == "keywords";
        by_keywords = by_keywords || kw;
        md += fmt::format("| {}:{} `{}`{} | {} | {} | {}{} | {} | {} | {} |\n", m.script, s.line,
                          Md(s.summary), kw ? " †" : "", s.effect, s.lock.empty() ? "—" : s.lock,
                          s.table.empty() ? "—" : s.table, s.target_is_new ? " (new)" : "",
                          Blocks(s), Size(s.live_rows, s.live_bytes), Rewrites(s));
      }
    }
    if (by_keywords) {
      md +=
          "\n† PostgreSQL's grammar cannot parse this statement (SQLite-only syntax?): its "
          "effect, lock and table come from strata's keyword classifier.\n";
    }
    md += "\n## Verification queries\n\n";
    bool any = false;
    for (const auto& m : rel.migrations) {
      for (const auto& c : m.checks) {
        if (c.phase != "post-check") continue;
        any = true;
        md += fmt::format(
            "- {}:{} expect `{}` (inside the migration's transaction; `strata "
            "verify` runs it again later)\n\n  ```sql\n  {}\n  ```\n",
            m.script, c.line, c.expected, c.query);
      }
    }
    if (!any && has_migrations) {
      md += "- none declared: add `-- strata:post-check` blocks (docs/formats/checks.md)\n";
    }
    md += "\n## Stop criteria\n\n";
    for (const auto& s : rel.stop_criteria) md += "- " + Md(s) + "\n";
    md += "\n## Failure handling\n\n";
    for (const auto& s : rel.failure_handling) md += "- " + Md(s) + "\n";
    md += "\n## Recovery direction and roll-forward plan\n\n";
    for (const auto& s : rel.roll_forward) md += "- " + Md(s) + "\n";
    std::vector<std::string> findings = rel.findings;
    for (const auto& m : rel.migrations) {
      findings.insert(findings.end(), m.findings.begin(), m.findings.end());
    }
    if (!findings.empty()) {
      md += "\n## Findings\n\n";
      for (const auto& f : findings) md += "- " + Md(f) + "\n";
    }
    bool any_lint = false;
    for (const auto& m : rel.migrations) any_lint = any_lint || !m.lint.empty();
    if (any_lint) {
      md += "\n## Lint findings\n\n";
      for (const auto& m : rel.migrations) {
        for (const auto& f : m.lint) {
          if (f.suppressed) {
            md += fmt::format("- {}:{}:{} allowed {}[{}] {}: {} (suppressed: {})\n", m.script,
                              f.line, f.column, f.severity, f.rule_id, f.rule_name, Md(f.message),
                              Md(f.suppression_reason));
            continue;
          }
          md += fmt::format("- {}:{}:{} {}[{}] {}: {}{} — {}\n", m.script, f.line, f.column,
                            f.severity, f.rule_id, f.rule_name, Md(f.message),
                            f.size_note.empty() ? std::string() : " (" + Md(f.size_note) + ")",
                            Md(f.help));
        }
      }
    }
    md += "\n";
  }
  return base::RedactSecrets(md);
}

}  // namespace strata::plan
