// `strata repair`: never silent. Clears failed rows and accepts named checksum changes by
// appending REPAIR rows (with the reason and the operator) — the ledger is never rewritten.
#include "strata/commands.h"

#include "base/duration.h"
#include "base/host.h"
#include "base/text.h"
#include "migrate/state.h"
#include "migrate/sumfile.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace strata {

RepairResult Repair(const Options& options, const RepairRequest& request) {
  RepairResult res;
  std::unique_ptr<session::RunRecorder> recorder;  // the run record (strata_run)
  auto fail = [&](Status s) {
    if (recorder) (void)recorder->Finish(s);
    res.status = std::move(s);
    return std::move(res);
  };
  if (base::Trim(request.reason).empty()) {
    return fail(Status(ErrorCode::kUsage, "repair needs --reason \"...\"")
                    .WithHint("say why, e.g. --reason \"index created by hand in INC-123\"; it "
                              "is recorded in the ledger"));
  }
  auto set = migrate::Discover(options);
  if (!set) return fail(set.error());
  auto ctx = session::Open(options, "repair");
  if (!ctx) return fail(ctx.error());
  res.target = ctx->url.redacted;
  session::RunLock lock;
  if (Status s = lock.Acquire(*ctx, options.lock_wait, {}); !s.ok()) return fail(std::move(s));
  auto rows = ctx->ledger->ReadAll();
  if (!rows) return fail(rows.error());
  if (rows->empty()) {
    return fail(Status(ErrorCode::kValidation, "there is no ledger to repair")
                    .WithHint("run `strata migrate` first"));
  }
  auto report = migrate::Join(*set, *rows);
  auto rec = session::RunRecorder::Start(*ctx->conn, options, "repair", res.target);
  if (!rec) return fail(rec.error());
  recorder = std::move(*rec);
  std::string by = ctx->conn->DatabaseUser();
  if (by.empty()) by = base::OsUser();
  std::string operator_note = fmt::format("{} (os user {})", request.reason, base::OsUser());

  auto append = [&](const migrate::Entry& e, std::string_view action,
                    std::optional<std::string> checksum) -> Status {
    migrate::AppliedRow row;
    row.version = e.version;
    row.description = std::string(action);
    row.type = std::string(migrate::kTypeRepair);
    row.script = e.script;
    row.checksum = std::move(checksum);
    row.installed_by = by;
    row.installed_on = base::NowIso8601();
    row.success = true;
    row.reason = operator_note;
    STRATA_TRY(ctx->conn->Exec(ctx->conn->BeginSql()));
    Status s = ctx->ledger->Append(row);
    if (s.ok()) s = ctx->conn->Exec("COMMIT");
    if (!s.ok()) {
      ctx->ledger->Rewind();
      (void)ctx->conn->Exec("ROLLBACK");
    }
    return s;
  };

  // 1. --accept-checksum for each named version.
  std::vector<std::pair<size_t, std::string>> accepted;  // index in set, checksum accepted before
  for (const auto& v : request.accept_checksum) {
    auto want = migrate::Version::Parse(v);
    const migrate::Entry* found = nullptr;
    for (const auto& e : report.entries) {
      if (want && e.resolved && e.kind == migrate::Kind::kVersioned &&
          e.resolved->version == *want) {
        found = &e;
      }
    }
    if (!found) {
      return fail(
          Status(ErrorCode::kUsage,
                 fmt::format("--accept-checksum {}: no migration file has that version", v)));
    }
    if (found->state != migrate::State::kApplied || !found->checksum_mismatch) {
      return fail(Status(ErrorCode::kUsage,
                         fmt::format("--accept-checksum {}: {} is {} and its checksum matches; "
                                     "nothing to accept",
                                     v, found->script, migrate::StateName(found->state))));
    }
    if (Status s = append(*found, migrate::kRepairAcceptChecksum, std::string(found->checksum));
        !s.ok()) {
      return fail(std::move(s));
    }
    res.actions.push_back(fmt::format("accepted new checksum of {} ({} → {}): {}", found->script,
                                      found->accepted_checksum.substr(0, 12),
                                      found->checksum.substr(0, 12), request.reason));
    accepted.emplace_back(static_cast<size_t>(found->resolved - set->migrations.data()),
                          found->accepted_checksum);
  }
  // strata.sum follows the accepted edits and only them: when it matched the files except for
  // those edits it is rewritten; any other difference is left for a review and `strata hash`.
  if (!accepted.empty() && options.require_sum) {
    migrate::MigrationSet before = *set;
    for (const auto& [i, old_checksum] : accepted) before.migrations[i].checksum = old_checksum;
    if (migrate::CheckSums(options, before).ok()) {
      auto written = migrate::WriteSums(options, *set);
      if (!written) return fail(written.error());
      for (const auto& path : *written) res.actions.push_back("updated " + path);
    } else {
      res.actions.push_back(
          "strata.sum was not updated: it differs from the files in more than the accepted "
          "edits; review `strata validate` and run `strata hash`");
    }
  }
  // 2. Failed rows are cleared (they stay in the ledger as evidence).
  for (const auto& e : report.entries) {
    if (e.state != migrate::State::kFailed) continue;
    if (!request.clear_failed_version.empty() && e.version != request.clear_failed_version)
      continue;
    if (Status s = append(e, migrate::kRepairClearFailed, std::nullopt); !s.ok()) {
      return fail(std::move(s));
    }
    res.actions.push_back(fmt::format(
        "cleared failed {} ({} statement(s) had run; make sure their effects are undone or "
        "intended): {}",
        e.script, e.applied ? e.applied->statements_done : 0, request.reason));
  }
  nlohmann::json detail = {{"reason", request.reason}, {"actions", res.actions}};
  if (Status w = recorder->Finish(Status::Ok(), detail.dump()); !w.ok()) {
    res.actions.push_back("warning: the run record could not be finished: " + w.ToString());
  }
  return res;
}

}  // namespace strata
