// Typed events that engines publish while they work. Engines never print: the CLI's progress
// renderer, the JSON-lines logger and (later) the evidence recorder subscribe. A sink is called
// on the engine's thread, in order.
//
// An event is the migration it belongs to (none for the run lock's events) and one struct per
// kind holding exactly that kind's fields: a consumer reads a kind's fields through
// `e.As<Event::Retry>()` (nullptr for another kind) or std::visit, so it cannot read a field the
// kind does not have. The JSON of each kind (`--log-json`) is documented in docs/json.md.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace strata {

// The kind accessors of an event type whose `data` member is a std::variant of one struct per
// kind (Event here, backfill::BackfillEvent): derive as `struct E : KindAccess<E>`.
//   e.As<E::Retry>()  that kind's fields, or nullptr when the event is of another kind
//   e.Is<E::Retry>()  whether the event is of that kind
template <class Derived>
struct KindAccess {
  template <class T>
  const T* As() const {
    return std::get_if<T>(&Self().data);
  }
  template <class T>
  bool Is() const {
    return std::holds_alternative<T>(Self().data);
  }

 private:
  const Derived& Self() const { return static_cast<const Derived&>(*this); }
};

struct Event : KindAccess<Event> {
  // The migration (or seed package) an event belongs to.
  struct Migration {
    std::string script;
    std::string version;  // "" for repeatable migrations and seed packages
    int index = 0;        // 0-based among this run's migrations
    int count = 0;        // migrations in this run
    int statements = 0;   // statements in the migration (a seed package: rows it changes)
  };

  // Another runner holds the migration lock; this one waits (up to --lock-wait).
  struct LockWaiting {
    std::string holder;  // who holds it, as the database describes the session
  };
  // The lock was taken after a LockWaiting.
  struct LockAcquired {};
  struct MigrationStarted {};
  struct StatementDone {
    int index = 0;                // 0-based
    std::int64_t rows = -1;       // -1: the server reported no count
    std::int64_t elapsed_ms = 0;  // 0: not measured (a transactional batch)
  };
  // The migration and its ledger row committed.
  struct MigrationDone {
    std::int64_t elapsed_ms = 0;
    int attempts = 0;  // 0: not counted (seed)
  };
  // Rolled back, or recorded as failed when non-transactional.
  struct MigrationFailed {
    std::int64_t elapsed_ms = 0;
    int attempts = 0;
    std::string error;  // the Status, as text
  };
  // A lock timeout: the migration waits `backoff_ms` and runs again.
  struct Retry {
    int attempt = 0;    // 1-based: the attempt that failed
    int statement = 0;  // 0-based statement that hit it
    std::string why;    // the database's message
    std::int64_t backoff_ms = 0;
  };
  // A server notice or warning.
  struct Notice {
    std::string text;
  };
  // One pre-/post-check ran: which check, where, and what it saw.
  struct CheckDone {
    std::string phase;  // "pre-check", "post-check"
    std::string name;   // capture name, or "" (file:line identifies it)
    std::string file;
    int line = 0;
    bool ok = false;
    std::optional<std::string> value;  // nullopt: NULL or no row
    std::string expected;              // "= 0", "= 42 (captured lines_before)"
    std::int64_t elapsed_ms = 0;
    std::string failure;  // why it failed; "" when ok
  };
  // MigrateRequest::observe (`strata test`, PostgreSQL, transactional migrations): what the
  // server says right after the statement ran, read inside the migration's transaction.
  struct StatementObserved {
    struct Lock {
      std::uint32_t oid = 0;
      std::string relation;  // "schema.name"; "" when the relation no longer exists
      char relkind = 0;      // pg_class.relkind ('r' table, 'i' index, 'S' sequence, ...)
      std::string mode;      // pg_locks.mode: "AccessExclusiveLock", ...
      std::uint32_t relfilenode = 0;
    };
    int index = -1;           // 0-based statement; -1: right after BEGIN
    double at_ms = 0;         // the server's clock_timestamp(), ms since the epoch
    std::vector<Lock> locks;  // every relation lock this backend holds (the transaction's so far)
  };

  using Data =
      std::variant<LockWaiting, LockAcquired, MigrationStarted, StatementDone, MigrationDone,
                   MigrationFailed, Retry, Notice, CheckDone, StatementObserved>;

  Event(Data data, std::optional<Migration> migration = std::nullopt)
      : migration(std::move(migration)), data(std::move(data)) {}

  std::optional<Migration> migration;  // nullopt: the lock's events
  Data data;

  // The kind's name, as `event` in the --log-json line: "lock_waiting", "retry", ...
  const char* Name() const {
    static constexpr const char* kNames[] = {"lock_waiting",
                                             "lock_acquired",
                                             "migration_started",
                                             "statement_done",
                                             "migration_done",
                                             "migration_failed",
                                             "retry",
                                             "notice",
                                             "check_done",
                                             "statement_observed"};
    static_assert(std::size(kNames) == std::variant_size_v<Data>, "one name per kind, in order");
    return kNames[data.index()];
  }
};

using EventSink = std::function<void(const Event&)>;

// For std::visit over an event's Data with one lambda per kind.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace strata
