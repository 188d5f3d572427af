// `strata validate`: the files, strata.sum and the ledger agree. Read-only.
#include "strata/commands.h"

#include "engine/checks.h"
#include "engine/context.h"
#include "engine/plan.h"
#include "ledger/ledger.h"
#include "migrate/state.h"
#include "migrate/sumfile.h"

#include <fmt/format.h>

namespace strata {

ValidateResult Validate(const Options& options) {
  ValidateResult res;
  auto set = migrate::Discover(options);
  if (!set) {
    res.status = set.error();
    return res;
  }
  auto ctx = engine::Open(options, "validate");
  if (!ctx) {
    res.status = ctx.error();
    return res;
  }
  res.target = ctx->url.redacted;
  auto rows = ctx->ledger->ReadAll();
  if (!rows) {
    res.status = rows.error();
    return res;
  }
  auto report = migrate::Join(*set, *rows);
  std::optional<db::LockHolder> running;
  for (const auto& e : report.entries) {
    if (engine::IsUnfinishedTail(e, *rows)) running = engine::RunningHolder(*ctx);
  }
  for (auto& i :
       engine::CollectIssues(report, ledger::Ledger::VerifyChain(*rows), options, running))
    res.issues.push_back(std::move(i));
  // After the ledger's issues: an edited applied file also changes strata.sum, and the
  // checksum mismatch is the problem to report first.
  if (options.require_sum) {
    Status s = migrate::CheckSums(options, *set);
    if (!s.ok()) res.issues.push_back({"sum", s.span().file, s.message(), s.hint()});
  }
  // Pending files must at least be runnable: directives, placeholders, statement splitting.
  for (const auto& e : report.entries) {
    if (!e.resolved) continue;
    ++res.checked;
    if (e.state != migrate::State::kPending && e.state != migrate::State::kOutOfOrder &&
        e.state != migrate::State::kOutdated) {
      continue;
    }
    auto p = engine::Prepare(*e.resolved, ctx->conn->dialect(), options);
    if (!p) {
      res.issues.push_back({std::string(ErrorCodeName(p.error().code())),
                            p.error().span().ToString(), p.error().message(), p.error().hint()});
    }
  }
  if (!res.issues.empty()) {
    res.status = engine::IssuesToStatus(res.issues);
  }
  return res;
}

}  // namespace strata
