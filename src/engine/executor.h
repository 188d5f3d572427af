// The executor: runs one prepared migration and records it in the ledger, publishing events.
// A transactional migration and its ledger row commit together, with a bounded, jittered
// retry after a lock timeout. A non-transactional migration records a ledger row before its
// first statement and updates it after each one, so a crash leaves an exact account of what
// ran. Never prints. Not thread-safe (uses the Session's connection).
#pragma once

#include "strata/commands.h"

#include "engine/plan.h"
#include "migrate/state.h"
#include "session/session.h"

#include <functional>
#include <string>

namespace strata::engine {

struct ExecuteRequest {
  const PreparedMigration* prepared = nullptr;
  std::string type;  // SQL or REPEATABLE
  std::string installed_by;
  const migrate::AppliedRow* resume_from = nullptr;  // failed row to continue (non-tx only)
  // The resumed row's statement that was in flight when the run stopped: "" lets the database
  // decide (engine/in_flight.h); "done" or "rerun" is the operator's verdict (--in-flight).
  std::string in_flight;
  int index = 0;  // position in this run, for events
  int count = 0;
  const EventSink* sink = nullptr;
  bool observe = false;  // MigrateRequest::observe
  std::string note;      // recorded in the ledger row's reason (accepted lint suppressions)
  // Transactional migrations: called with the completed `out` after the ledger row is written
  // and before COMMIT, so evidence commits atomically with the migration (and costs no commit
  // of its own). An error rolls the migration back.
  std::function<Status(const AppliedMigration&)> before_commit;
};

// Runs the migration. On failure the Status names file:line, the statement's first line, the
// database's message and SQLSTATE; `out` holds what completed.
Status Execute(session::Session& ctx, const Options& options, const ExecuteRequest& req,
               AppliedMigration& out);

}  // namespace strata::engine
