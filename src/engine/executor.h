// The executor: runs one prepared migration and records it in the ledger, publishing events.
// A transactional migration and its ledger row commit together, with a bounded, jittered
// retry after a lock timeout. A non-transactional migration records a ledger row before its
// first statement and updates it after each one, so a crash leaves an exact account of what
// ran. Never prints. Not thread-safe (uses the Context's connection).
#pragma once

#include "strata/commands.h"

#include "engine/context.h"
#include "engine/plan.h"
#include "migrate/state.h"

namespace strata::engine {

struct ExecuteRequest {
  const PreparedMigration* prepared = nullptr;
  std::string type;  // SQL or REPEATABLE
  std::string installed_by;
  const migrate::AppliedRow* resume_from = nullptr;  // failed row to continue (non-tx only)
  int index = 0;                                     // position in this run, for events
  int count = 0;
  const EventSink* sink = nullptr;
};

// Runs the migration. On failure the Status names file:line, the statement's first line, the
// database's message and SQLSTATE; `out` holds what completed.
Status Execute(Context& ctx, const Options& options, const ExecuteRequest& req,
               AppliedMigration& out);

}  // namespace strata::engine
