#include "engine/change_hook.h"

#include <fmt/format.h>

#include <filesystem>

#include "change/change.h"

namespace strata::engine {

Result<std::vector<bool>> ScreenChanges(session::Session& ctx,
                                        const std::vector<PreparedMigration>& prepared,
                                        bool allow_open_changes) {
  std::vector<bool> is_change(prepared.size(), false);
  bool plain = false;
  for (size_t i = 0; i < prepared.size(); ++i) {
    is_change[i] = change::IsChangeFile(prepared[i].settings);
    plain |= !is_change[i];
  }
  if (!plain || allow_open_changes) return is_change;
  STRATA_ASSIGN_OR_RETURN(auto open, change::OpenChangeTables(*ctx.conn));
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (is_change[i]) continue;
    STRATA_TRY(change::CheckPlainMigration(open, prepared[i].migration->text,
                                           prepared[i].migration->path));
  }
  return is_change;
}

Status StartChange(const Options& options, PreparedMigration& p,
                   const std::vector<std::string>& window) {
  auto r = change::Start(options, {p.migration->path, {}, window});
  if (!r.status.ok()) return r.status;
  p.statements.clear();
  return Status::Ok();
}

bool IsChangeMigration(const PreparedMigration& p) { return change::IsChangeFile(p.settings); }

std::string ChangeDryRun(const Options& options, const PreparedMigration& p) {
  return change::DryRunText(options, p.migration->path);
}

Result<std::vector<OpenChangeInfo>> OpenChangeWindows(const Options& options,
                                                      session::Session& ctx) {
  std::vector<OpenChangeInfo> out;
  STRATA_ASSIGN_OR_RETURN(auto open, change::OpenChanges(options, *ctx.conn));
  for (auto& c : open) {
    out.push_back(
        {c.name, c.file, c.phase, c.started_at, c.tables, c.backfill, c.running, c.next_step});
  }
  return out;
}

Status CompleteOpenChanges(const Options& options, session::Session& ctx,
                           const std::vector<std::string>& files,
                           std::vector<std::string>& completed) {
  STRATA_ASSIGN_OR_RETURN(auto open, change::OpenChanges(options, *ctx.conn));
  for (const auto& c : open) {
    if (c.phase != "started" && c.phase != "completing") continue;
    std::string file = c.file;
    for (const auto& f : files) {
      if (std::filesystem::path(f).stem().string() == c.name) file = f;
    }
    auto r = change::Complete(options, {file, {}});
    if (!r.status.ok()) {
      return Status(r.status).Wrap(fmt::format("--complete-changes: change `{}`", c.name));
    }
    completed.push_back(c.name);
  }
  return Status::Ok();
}

}  // namespace strata::engine
