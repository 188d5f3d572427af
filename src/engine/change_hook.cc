#include "engine/change_hook.h"

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

Status StartChange(const Options& options, PreparedMigration& p) {
  auto r = change::Start(options, {p.migration->path, {}});
  if (!r.status.ok()) return r.status;
  p.statements.clear();
  return Status::Ok();
}

}  // namespace strata::engine
