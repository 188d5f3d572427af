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
// its statements so the executor records it without running the end-state DDL. `window`: the
// pending change files that follow `p` with no plain migration between; they start in the same
// window (one backfill pass per table for all of them) and are then found started.
Status StartChange(const Options& options, PreparedMigration& p,
                   const std::vector<std::string>& window = {});

// Whether `p` is a change file (`-- strata:change`).
bool IsChangeMigration(const PreparedMigration& p);

// `migrate --dry-run` for a change file: its start phase's SQL with the end-state DDL and the
// derived operations as comments (change::DryRunText).
std::string ChangeDryRun(const Options& options, const PreparedMigration& p);

// The open change windows for `info` (empty off PostgreSQL or without a state table).
Result<std::vector<OpenChangeInfo>> OpenChangeWindows(const Options& options,
                                                      session::Session& ctx);

// `migrate --complete-changes`: completes every change an earlier run left open (phase started
// or completing), each through `strata change complete` on its file: the file of `files` whose
// stem is the change's name, else the path recorded at start. Appends each completed change's
// name to `completed`; stops at the first that cannot complete (verification failed: the
// numbers, and nothing pending has run). A change still `starting` is left to its own rerun.
Status CompleteOpenChanges(const Options& options, session::Session& ctx,
                           const std::vector<std::string>& files,
                           std::vector<std::string>& completed);

}  // namespace strata::engine
