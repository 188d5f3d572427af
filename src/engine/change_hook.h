// How `migrate` treats zero-downtime changes (issue 19, docs/change.md): a pending file marked
// `-- strata:change` runs its start phase (src/change) instead of its end-state statements and
// is then recorded in the ledger like any migration, leaving completion to `strata change
// complete`; a plain pending file whose statements touch a table with an open change is
// refused unless the run allows it. Not thread-safe.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "engine/plan.h"
#include "session/session.h"

#include <vector>

namespace strata::engine {

// Which of `prepared` are change files; refuses (kValidation, file:line:col) a plain one that
// touches a table with an open change unless `allow_open_changes`.
Result<std::vector<bool>> ScreenChanges(session::Session& ctx,
                                        const std::vector<PreparedMigration>& prepared,
                                        bool allow_open_changes);

// Runs the start phase of the change file `p` (resuming one that was interrupted), then empties
// its statements so the executor records it without running the end-state DDL.
Status StartChange(const Options& options, PreparedMigration& p);

}  // namespace strata::engine
