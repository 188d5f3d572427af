// Typed events that engines publish while they work. Engines never print: the CLI's progress
// renderer, the JSON-lines logger and (later) the evidence recorder subscribe. A sink is called
// on the engine's thread, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strata {

enum class EventKind {
  kLockWaiting,  // another runner holds the migration lock; message = holder
  kLockAcquired,
  kMigrationStarted,   // script, version, statement_count
  kStatementDone,      // statement_index (0-based), rows, elapsed_ms
  kMigrationDone,      // elapsed_ms
  kMigrationFailed,    // message
  kRetry,              // attempt (1-based), message = why, elapsed_ms = backoff
  kNotice,             // a server notice or warning
  kCheckDone,          // one pre-/post-check ran: check, elapsed_ms (message = why it failed)
  kStatementObserved,  // MigrateRequest::observe: statement_index (-1: after BEGIN), observed
};

struct Event {
  EventKind kind;
  std::string script;
  std::string version;
  int statement_index = -1;
  int statement_count = 0;
  int migration_index = 0;  // 0-based among this run's migrations
  int migration_count = 0;
  std::int64_t rows = -1;
  std::int64_t elapsed_ms = 0;
  int attempt = 0;
  std::string message;
  // kCheckDone: which check, where, and what it saw.
  struct Check {
    std::string phase;  // "pre-check", "post-check"
    std::string name;   // capture name, or "" (file:line identifies it)
    std::string file;
    int line = 0;
    bool ok = false;
    std::optional<std::string> value;  // nullopt: NULL or no row
    std::string expected;              // "= 0", "= 42 (captured lines_before)"
  };
  std::optional<Check> check;
  // kStatementObserved (`strata test`, PostgreSQL, transactional migrations): what the server
  // says right after the statement ran, read inside the migration's transaction.
  struct Observed {
    struct Lock {
      std::uint32_t oid = 0;
      std::string relation;  // "schema.name"; "" when the relation no longer exists
      char relkind = 0;      // pg_class.relkind ('r' table, 'i' index, 'S' sequence, ...)
      std::string mode;      // pg_locks.mode: "AccessExclusiveLock", ...
      std::uint32_t relfilenode = 0;
    };
    double at_ms = 0;         // the server's clock_timestamp(), ms since the epoch
    std::vector<Lock> locks;  // every relation lock this backend holds (the transaction's so far)
  };
  std::optional<Observed> observed;
};

using EventSink = std::function<void(const Event&)>;

}  // namespace strata
