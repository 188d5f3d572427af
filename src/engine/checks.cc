#include "engine/checks.h"

#include "ledger/ledger.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::engine {

using migrate::State;

bool IsUnfinishedTail(const migrate::Entry& e, const std::vector<migrate::AppliedRow>& rows) {
  return e.state == State::kFailed && e.applied && !rows.empty() &&
         e.applied->rank == rows.back().rank && !e.applied->success;
}

FailedRowText DescribeFailedRow(const migrate::AppliedRow& a, std::string_view name) {
  const std::string reason = a.reason.value_or("");
  // The executor writes "statement N failed: ..." and "post-checks failed: ..."; a row with
  // neither was interrupted (killed, connection lost) between or during statements.
  bool failed = reason.rfind("statement ", 0) == 0 && reason.find(" failed: ") != std::string::npos;
  bool post = reason.rfind("post-checks failed", 0) == 0;
  if (a.statement_started && !post) {
    return {fmt::format("migration {} stopped while statement {} was in flight (statements 1..{} "
                        "completed){}",
                        name, *a.statement_started, a.statements_done,
                        failed ? fmt::format(": {}", reason) : ""),
            "`strata migrate --resume` asks the database whether that statement took effect and "
            "continues from there (it says what to do by hand when it cannot tell)"};
  }
  if (post) {
    return {fmt::format("migration {}: every statement ran but {}", name, reason),
            "correct the state, then `strata migrate --resume` runs the post-checks again; or "
            "`strata repair --reason \"...\"`"};
  }
  if (failed) {
    return {fmt::format("migration {} failed after {} statement(s) ran: {}", name,
                        a.statements_done, reason),
            "fix the file's failed statement, then `strata migrate --resume` continues there; "
            "or undo the applied part by hand and run `strata repair --reason \"...\"`"};
  }
  if (a.type == migrate::kTypeSql || a.type == migrate::kTypeRepeatable) {
    if (a.statements_done > 0 || a.prefix_hash) {
      return {fmt::format("migration {} was interrupted after {} statement(s) completed (the run "
                          "was killed or lost its connection; nothing failed)",
                          name, a.statements_done),
              "`strata migrate --resume` continues at the next statement"};
    }
  }
  return {fmt::format("migration {} failed{}", name, reason.empty() ? "" : ": " + reason),
          "fix the cause and run `strata repair --reason \"...\"` to clear the failed row, "
          "then migrate again"};
}

std::vector<ValidateIssue> CollectIssues(const migrate::StateReport& report,
                                         const std::vector<std::string>& chain_breaks,
                                         const Options& options,
                                         const std::optional<db::LockHolder>& running) {
  std::vector<ValidateIssue> issues;
  for (const auto& broken : chain_breaks) {
    issues.push_back({"broken-chain", "", fmt::format("ledger hash chain broken at {}", broken),
                      "someone edited the ledger table by hand; restore it from a backup or "
                      "investigate — strata will not run until the history is trustworthy"});
  }
  int tail_rank = 0;
  for (const auto& e : report.entries) {
    if (e.applied) tail_rank = std::max(tail_rank, e.applied->rank);
  }
  for (const auto& e : report.entries) {
    auto name = [&e] {
      return e.version.empty() ? std::string(e.script)
                               : fmt::format("{} ({})", e.version, e.script);
    };
    switch (e.state) {
      case State::kFailed: {
        const auto& a = *e.applied;
        if (running && a.rank == tail_rank && !a.success) {
          issues.push_back(
              {"running", std::string(e.script),
               fmt::format("migration {} is running: {} statement(s) done{} — {}", name(),
                           a.statements_done,
                           a.statement_started
                               ? fmt::format(", statement {} in flight", *a.statement_started)
                               : "",
                           running->description),
               "wait for that run to finish (`strata migrate` waits for its lock), then check "
               "again"});
          break;
        }
        FailedRowText t = DescribeFailedRow(a, name());
        issues.push_back(
            {"failed", std::string(e.script), std::move(t.message), std::move(t.hint)});
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
