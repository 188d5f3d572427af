#include "engine/lint_gate.h"

#include "lint/linter.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

namespace strata::engine {

std::string AllowedNote(const std::vector<std::string>& allowed) {
  std::string out;
  for (const auto& a : allowed) out += fmt::format("{}lint allowed {}", out.empty() ? "" : "; ", a);
  return out;
}

std::string DescribeAllowance(const AcceptedSuppression& a) {
  return fmt::format("{} at line {}: {}", fmt::join(a.rules, ","), a.line, a.reason);
}

Status RunLintGate(session::Session& ctx, const Options& options,
                   const std::vector<PreparedMigration>& prepared, LintGateReport& report,
                   std::vector<std::vector<std::string>>& allowed,
                   std::shared_ptr<const GateLint>* keep) {
  allowed.assign(prepared.size(), {});
  if (!options.lint_gate) {
    report.skipped = "[migrate] lint_gate = false";
    return Status::Ok();
  }
  if (prepared.empty()) return Status::Ok();
  bool sqlite = ctx.conn->dialect() == db::Dialect::kSqlite;
  std::vector<const migrate::Migration*> pending;
  pending.reserve(prepared.size());
  for (const auto& p : prepared) pending.push_back(p.migration);
  STRATA_ASSIGN_OR_RETURN(lint::LintResult lr, lint::LintPending(options, pending, ctx.conn.get()));
  if (!lr.status.ok()) return lr.status;
  report.ran = true;
  report.gate = std::string(lint::SeverityName(lr.gate));
  report.pg_version = sqlite ? "sqlite (SQLite's own checks and the dialect-neutral rules)"
                             : fmt::format("{} ({})", lr.pg_version, lr.pg_version_source);
  report.live = lr.live;

  for (const auto& f : lr.findings) {
    if (f.suppressed) continue;
    // Lint ran only the rules that apply to this database (LintPending reads the dialect from
    // the connection), so `strata lint` on the same files and target gives the same verdict.
    if (f.severity < lr.gate) {
      ++report.findings_below_gate;
      continue;
    }
    report.blocking.push_back({f.file, f.line, f.column, f.rule_id, f.rule_name,
                               std::string(lint::SeverityName(f.severity)), f.message, f.help,
                               f.size_note});
  }

  std::map<std::string, size_t> by_path;
  for (size_t i = 0; i < prepared.size(); ++i) by_path[prepared[i].migration->path] = i;
  for (const auto& s : lr.suppressions) {
    if (s.used <= 0 || s.reason.empty()) continue;
    auto it = by_path.find(s.file);
    if (it == by_path.end()) continue;
    AcceptedSuppression a{prepared[it->second].migration->script, s.line, s.rules, s.reason,
                          s.used};
    allowed[it->second].push_back(DescribeAllowance(a));
    report.accepted.push_back(std::move(a));
  }

  if (keep) {
    auto g = std::make_shared<GateLint>();
    for (const auto& p : prepared) {
      g->scripts.push_back(p.migration->script);
      g->paths.push_back(p.migration->path);
      g->checksums.push_back(p.migration->checksum);
    }
    g->result = std::move(lr);
    *keep = std::move(g);
  }
  if (report.blocking.empty()) return Status::Ok();
  const auto& first = report.blocking.front();
  return Status(ErrorCode::kLint,
                fmt::format("the lint gate refused the run: {} finding(s) at or above '{}' in the "
                            "pending migrations, first {}:{}: {}[{}] {}",
                            report.blocking.size(), report.gate, first.file, first.line,
                            first.severity, first.rule_id, first.message))
      .WithHint(
          "change the migration as the finding's fix says (strata lint --explain <rule> has the "
          "safe recipe), or accept it on the statement with -- strata:allow <rule> "
          "reason=\"...\" (recorded in the ledger); nothing was applied");
}

}  // namespace strata::engine
