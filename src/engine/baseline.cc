// `strata baseline`: adopt an existing database. Migrations up to the baseline version are
// marked as contained in it and never run here.
#include "strata/commands.h"

#include "base/duration.h"
#include "base/host.h"
#include "migrate/state.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>

namespace strata {

BaselineResult Baseline(const Options& options, const BaselineRequest& request) {
  BaselineResult res;
  std::unique_ptr<session::RunRecorder> recorder;  // the run record (strata_run)
  auto fail = [&](Status s) {
    if (recorder) (void)recorder->Finish(s);
    res.status = std::move(s);
    return std::move(res);
  };
  auto v = migrate::Version::Parse(request.version);
  if (!v) {
    return fail(
        Status(ErrorCode::kUsage, fmt::format("--version '{}' is not a version", request.version))
            .WithHint("e.g. strata baseline --version 5"));
  }
  auto set = migrate::Discover(options);
  if (!set) return fail(set.error());
  auto ctx = session::Open(options, "baseline", {.may_create = true});
  if (!ctx) return fail(ctx.error());
  res.target = ctx->url.redacted;
  session::RunLock lock;
  if (Status s = lock.Acquire(*ctx, options.lock_wait, {}); !s.ok()) return fail(std::move(s));
  if (Status s = session::EnsureLedger(*ctx, options, true); !s.ok()) return fail(std::move(s));
  auto rows = ctx->ledger->ReadAll();
  if (!rows) return fail(rows.error());
  for (const auto& r : *rows) {
    if (r.type != migrate::kTypeRepair) {
      return fail(Status(ErrorCode::kValidation,
                         fmt::format("the ledger already has {} row(s); baseline only adopts a "
                                     "database that strata has not migrated",
                                     rows->size()))
                      .WithHint("use `strata info` to see its state"));
    }
  }
  auto rec = session::RunRecorder::Start(*ctx->conn, options, "baseline", res.target);
  if (!rec) return fail(rec.error());
  recorder = std::move(*rec);
  migrate::AppliedRow row;
  row.version = v->text();
  row.description = request.description;
  row.type = std::string(migrate::kTypeBaseline);
  row.script = request.description;
  row.installed_by = ctx->conn->DatabaseUser();
  if (row.installed_by.empty()) row.installed_by = base::OsUser();
  row.installed_on = base::NowIso8601();
  row.success = true;
  if (Status s = ctx->conn->Exec(ctx->conn->BeginSql()); !s.ok()) return fail(std::move(s));
  Status s = ctx->ledger->Append(row);
  if (s.ok()) s = ctx->conn->Exec("COMMIT");
  if (!s.ok()) {
    (void)ctx->conn->Exec("ROLLBACK");
    return fail(std::move(s));
  }
  res.version = v->text();
  for (const auto& m : set->migrations) {
    if (m.kind == migrate::Kind::kVersioned && !(*v < m.version)) ++res.skipped;
  }
  (void)recorder->Finish(
      Status::Ok(), fmt::format("{{\"version\":\"{}\",\"skipped\":{}}}", res.version, res.skipped));
  return res;
}

}  // namespace strata
