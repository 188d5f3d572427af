// `strata info`: every migration with its state (files × ledger). Read-only: takes no lock and
// creates nothing.
#include "strata/commands.h"

#include "engine/change_hook.h"
#include "engine/checks.h"
#include "migrate/state.h"
#include "session/session.h"

#include <fmt/format.h>

namespace strata {

InfoResult Info(const Options& options) {
  InfoResult res;
  auto set = migrate::Discover(options);
  if (!set) {
    res.status = set.error();
    return res;
  }
  auto ctx = session::Open(options, "info");
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
    if (engine::IsUnfinishedTail(e, *rows)) running = session::RunningHolder(*ctx);
  }
  for (const auto& e : report.entries) {
    InfoRow r;
    r.version = e.version;
    r.description = e.description;
    r.type = e.state == migrate::State::kBaseline ? std::string(migrate::kTypeBaseline)
             : e.applied && e.applied->type == migrate::kTypeImported
                 ? std::string(migrate::kTypeImported)  // applied by another tool
             : e.kind == migrate::Kind::kVersioned ? std::string(migrate::kTypeSql)
                                                   : std::string(migrate::kTypeRepeatable);
    r.script = e.script;
    r.state = std::string(migrate::StateName(e.state));
    r.checksum = e.checksum;
    r.checksum_mismatch = e.checksum_mismatch;
    if (e.applied) {
      r.installed_on = e.applied->installed_on;
      r.installed_by = e.applied->installed_by;
      r.execution_time_ms = e.applied->execution_time_ms;
      r.note = e.applied->reason.value_or("");
      if (running && engine::IsUnfinishedTail(e, *rows)) {
        // A live non-transactional migration's progress, not a failure.
        r.state = "running";
        r.note =
            fmt::format("{} statement(s) done{}; {}", e.applied->statements_done,
                        e.applied->statement_started
                            ? fmt::format(", statement {} in flight", *e.applied->statement_started)
                            : "",
                        running->description);
      }
    }
    res.migrations.push_back(std::move(r));
  }
  // Open zero-downtime change windows (engine/change_hook.h): phase, tables, backfill progress.
  auto windows = engine::OpenChangeWindows(options, *ctx);
  if (!windows) {
    res.status = windows.error();
    return res;
  }
  res.changes = std::move(*windows);
  return res;
}

}  // namespace strata
