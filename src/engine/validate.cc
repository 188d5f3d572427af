// `strata validate`: the files, strata.sum and the ledger agree. Read-only.
#include "strata/commands.h"

#include "base/redact.h"
#include "engine/checks.h"
#include "engine/plan.h"
#include "ledger/ledger.h"
#include "migrate/state.h"
#include "migrate/sumfile.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata {

ValidateResult Validate(const Options& options, const ValidateRequest& request) {
  ValidateResult res;
  res.target = base::RedactUrl(options.url);
  auto set = migrate::Discover(options);
  if (!set) {
    res.status = set.error();
    return res;
  }
  auto ctx = session::Open(options, "validate");
  if (!ctx) {
    res.status = ctx.error();
    return res;
  }
  res.target = ctx->url.redacted;
  // The ledger and the anchors every run and tag recorded (strata_run), in one round trip.
  session::AnchorRead anchors(options.ledger_schema, /*highest_only=*/false);
  auto read = ctx->ledger->ReadIfExists(nullptr, anchors.also());
  if (!read) {
    res.status = read.error();
    return res;
  }
  auto rows = std::optional<std::vector<migrate::AppliedRow>>(
      read->has_value() ? std::move(**read) : std::vector<migrate::AppliedRow>());
  auto report = migrate::Join(*set, *rows);
  ledger::Head head = ledger::HeadOf(*rows);
  res.ledger_rows = head.rows;
  if (!rows->empty()) res.ledger_head = head.hash;
  auto breaks = ledger::Ledger::VerifyChain(*rows);
  // The rows every run and tag anchored (strata_run), and the head kept outside the database,
  // must still be there: deleting the ledger's last rows leaves the chain itself intact.
  auto lost = session::AnchorBreaks(*ctx->conn, options, *rows, /*highest_only=*/false, &anchors);
  if (!lost) {
    res.status = lost.error();
    return res;
  }
  breaks.insert(breaks.end(), lost->begin(), lost->end());
  if (!request.expect_head.empty()) {
    if (auto b = ledger::ExpectedHeadBreak(*rows, request.expect_head)) breaks.push_back(*b);
  }
  std::optional<db::LockHolder> running;
  for (const auto& e : report.entries) {
    if (engine::IsUnfinishedTail(e, *rows)) running = session::RunningHolder(*ctx);
  }
  for (auto& i : engine::CollectIssues(report, breaks, options, running)) {
    res.issues.push_back(std::move(i));
  }
  // After a deploy nothing may be pending, and the files must know every applied version, as
  // in Flyway; a pre-deploy check (or a rollback window) accepts them by name.
  auto accepts = [&](std::string_view state) {
    auto has = [&](const std::vector<std::string>& v) {
      return std::find(v.begin(), v.end(), state) != v.end();
    };
    return has(options.validate_ignore) || has(request.ignore);
  };
  for (const auto& e : report.entries) {
    auto name = [&e] { return fmt::format("{} ({})", e.version, e.script); };
    if (e.state == migrate::State::kPending && !accepts("pending")) {
      res.issues.push_back(
          {"pending", std::string(e.script),
           fmt::format("migration {} is not applied", e.version.empty() ? e.script : name()),
           "run `strata migrate`; before a deploy, accept pending files with `strata validate "
           "--ignore pending` or validate.ignore = [\"pending\"] in strata.toml"});
    } else if (e.state == migrate::State::kFuture && !accepts("future")) {
      res.issues.push_back(
          {"future", std::string(e.script),
           fmt::format("version {} is applied but this checkout has no file for it: it is newer "
                       "than every file here",
                       name()),
           "check out the release that applied it; while an older application version is "
           "deployed on purpose, accept it with `strata validate --ignore future` or "
           "validate.ignore = [\"future\"]"});
    }
  }
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
    auto p =
        engine::Prepare(*e.resolved, ctx->conn->dialect(), options, engine::PrepareFor::kCheck);
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
