// Shared plumbing of the engine commands: open the database and the ledger, take the
// migration lock, discover files. Not thread-safe; one Context per command run.
#pragma once

#include "strata/events.h"
#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"
#include "ledger/ledger.h"
#include "migrate/discovery.h"

#include <memory>
#include <optional>
#include <string>

namespace strata::engine {

struct Context {
  db::DbUrl url;
  std::unique_ptr<db::Connection> conn;
  std::unique_ptr<ledger::Ledger> ledger;
};

// Parses the URL and connects; `verb` becomes part of the application name others see.
Result<Context> Open(const Options& options, std::string_view verb);

// Holds the migration lock for its lifetime. Acquire polls TryLock (never blocks inside the
// database) until `wait` has passed; on timeout returns kLockTimeout naming the holder.
class RunLock {
 public:
  RunLock() = default;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();
  Status Acquire(Context& ctx, std::chrono::milliseconds wait, const EventSink& sink);

 private:
  Context* ctx_ = nullptr;
};

// The holder of the migration lock when another run holds it right now; nullopt when it is
// free (checked by taking and releasing it at once) or cannot be checked.
std::optional<db::LockHolder> RunningHolder(Context& ctx);

// Creates the ledger if needed. Refuses (kNeedsBaseline) when the schema already holds
// objects but has no ledger, unless `allow_non_empty` (baseline itself).
Status EnsureLedger(Context& ctx, const Options& options, bool allow_non_empty);

// The OS user running strata, for the ledger's installed_by when the database has none.
std::string OsUser();

}  // namespace strata::engine
