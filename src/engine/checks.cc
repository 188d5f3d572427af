#include "engine/checks.h"

#include "ledger/ledger.h"

#include <fmt/format.h>

namespace strata::engine {

using migrate::State;

std::vector<ValidateIssue> CollectIssues(const migrate::StateReport& report,
                                         const std::vector<std::string>& chain_breaks,
                                         const Options& options) {
  std::vector<ValidateIssue> issues;
  for (const auto& broken : chain_breaks) {
    issues.push_back({"broken-chain", "", fmt::format("ledger hash chain broken at {}", broken),
                      "someone edited the ledger table by hand; restore it from a backup or "
                      "investigate — strata will not run until the history is trustworthy"});
  }
  for (const auto& e : report.entries) {
    auto name = [&e] {
      return e.version.empty() ? std::string(e.script)
                               : fmt::format("{} ({})", e.version, e.script);
    };
    switch (e.state) {
      case State::kFailed: {
        const auto& a = *e.applied;
        bool partial = a.statements_done > 0;
        issues.push_back(
            {"failed", std::string(e.script),
             partial
                 ? fmt::format("migration {} failed after {} statement(s) ran{}", name(),
                               a.statements_done, a.reason ? fmt::format(": {}", *a.reason) : "")
                 : fmt::format("migration {} failed{}", name(),
                               a.reason ? fmt::format(": {}", *a.reason) : ""),
             partial ? "fix the file's failed statement, then `strata migrate --resume` "
                       "continues there; or undo the applied part by hand and run `strata "
                       "repair --reason \"...\"`"
                     : "fix the cause and run `strata repair --reason \"...\"` to clear the "
                       "failed row, then migrate again"});
        break;
      }
      case State::kMissing:
        issues.push_back({"missing", std::string(e.script),
                          fmt::format("applied migration {} has no file any more", name()),
                          "restore the file from version control: applied migrations are "
                          "never deleted"});
        break;
      case State::kOutOfOrder:
        if (!options.out_of_order) {
          issues.push_back(
              {"out-of-order", std::string(e.script),
               fmt::format("pending migration {} is older than the latest applied version", name()),
               "give it a version above the latest applied one, or set migrate.out_of_order = "
               "true if this order is intended"});
        }
        break;
      case State::kApplied:
        if (e.checksum_mismatch) {
          issues.push_back(
              {"checksum-mismatch", std::string(e.script),
               fmt::format("applied migration {} was edited: recorded checksum {}, file now {}",
                           name(), e.accepted_checksum, e.checksum),
               "never edit an applied migration: revert the edit and write a new migration; if "
               "the edit is harmless (whitespace, comments), run `strata repair "
               "--accept-checksum " +
                   (e.version.empty() ? std::string("<version>") : e.version) +
                   " --reason \"...\"`"});
        }
        break;
      default:
        break;
    }
  }
  return issues;
}

Status IssuesToStatus(const std::vector<ValidateIssue>& issues) {
  if (issues.empty()) return Status::Ok();
  const auto& first = issues.front();
  std::string msg = issues.size() == 1 ? first.message
                                       : fmt::format("{} (and {} more problem(s))", first.message,
                                                     issues.size() - 1);
  Status s = Status(ErrorCode::kValidation, msg).WithHint(first.hint);
  if (!first.script.empty()) s = std::move(s).WithSpan({first.script, 0, 0});
  return s;
}

}  // namespace strata::engine
