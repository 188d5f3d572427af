// The one way a verb reaches its target database: parse the URL from Options, connect (with
// the application name others see in pg_stat_activity), hold the migration lock, find or create
// strata's schema history. engine, seed, backfill and evidence all stand on it; the run record
// (strata_run) is in session/run_store.h. Not thread-safe; one Session per command run.
#pragma once

#include "strata/events.h"
#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"
#include "ledger/ledger.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace strata::session {

struct Session {
  db::DbUrl url;  // url.redacted is what messages name
  std::unique_ptr<db::Connection> conn;
  std::unique_ptr<ledger::Ledger> ledger;  // options.ledger_table in options.ledger_schema
};

// What opening may do to a target that is not there yet.
struct Target {
  bool may_create = false;        // create a missing SQLite file / PostgreSQL database
  bool missing_is_empty = false;  // a missing SQLite file reads as an empty database
};

// Whether a failed connection is one a server that is starting (or restarting) gives: refused,
// reset, "the database system is starting up". Never an authentication failure.
bool IsStartupRefusal(const Status& s);

// Connects to `url`, retrying a PostgreSQL startup refusal with backoff (100 ms doubling to 1 s)
// until `timeout` has passed; each attempt's own timeout is what is left. `attempts` (optional)
// receives the number of attempts made. Returns the last attempt's error as it came.
Result<std::unique_ptr<db::Connection>> Connect(db::DbUrl& url, const std::string& application,
                                                std::chrono::milliseconds timeout,
                                                int* attempts = nullptr);

// Parses options.url and connects, retrying for options.connect_timeout (Connect above); `verb`
// becomes part of the application name
// ("strata <verb> pid <pid> on <host>"). Errors: kConfig (bad URL), kConnection (after retries:
// "gave up after N attempts in T: <last error>").
Result<Session> Open(const Options& options, std::string_view verb, Target target = {});

// Holds the migration lock for its lifetime. Acquire polls TryLock (never blocks inside the
// database) until `wait` has passed; on timeout returns kLockTimeout naming the holder.
class RunLock {
 public:
  RunLock() = default;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();
  Status Acquire(Session& s, std::chrono::milliseconds wait, const EventSink& sink);

 private:
  Session* session_ = nullptr;
};

// The holder of the migration lock when another run holds it right now; nullopt when it is
// free (checked by taking and releasing it at once) or cannot be checked.
std::optional<db::LockHolder> RunningHolder(Session& s);

// Creates the ledger if needed. Refuses (kNeedsBaseline) when the schema already holds
// objects but has no ledger, unless `allow_non_empty` (baseline itself).
Status EnsureLedger(Session& s, const Options& options, bool allow_non_empty);

// Fails (kValidation) when the database has no schema history yet: there is nothing to verify,
// tag or report on.
Status RequireLedger(Session& s);

}  // namespace strata::session
