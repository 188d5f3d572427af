// The migration state model: the join of resolved files × applied ledger rows, as Flyway's
// MigrationInfo, plus repair and baseline semantics. Pure functions; thread-safe.
#pragma once

#include "migrate/discovery.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::migrate {

// Ledger row types. Stored as text in the ledger: never rename.
inline constexpr std::string_view kTypeSql = "SQL";
inline constexpr std::string_view kTypeRepeatable = "REPEATABLE";
inline constexpr std::string_view kTypeBaseline = "BASELINE";
inline constexpr std::string_view kTypeRepair = "REPAIR";
// A migration another tool applied, adopted by `strata import` (reason: the tool, its table
// row and checksum). Versioned rows count as applied SQL rows; rows without a version as
// repeatable ones.
inline constexpr std::string_view kTypeImported = "IMPORTED";
// REPAIR row descriptions (stored; never rename).
inline constexpr std::string_view kRepairAcceptChecksum = "accept-checksum";
inline constexpr std::string_view kRepairClearFailed = "clear-failed";

// One row of strata_schema_history.
struct AppliedRow {
  int rank = 0;
  std::optional<std::string> version;
  std::string description;
  std::string type;
  std::string script;
  std::optional<std::string> checksum;
  std::string installed_by;
  std::string installed_on;
  std::int64_t execution_time_ms = 0;
  bool success = false;
  int statements_done = 0;
  std::optional<std::string> prefix_hash;
  std::optional<std::string> reason;
  std::string prev_hash;
  std::string row_hash;
  // A non-transactional migration's statement that cannot run inside a transaction (CREATE
  // INDEX CONCURRENTLY, VACUUM, ...): its 1-based index, written before it is sent and cleared
  // with statements_done after it completed. Set on a failed row: the statement was sent and
  // whether it took effect is decided from the database on --resume (docs/formats/ledger.md).
  std::optional<int> statement_started;
};

enum class State {
  kPending,
  kApplied,
  kFailed,
  kOutdated,      // repeatable whose file changed since it last ran
  kMissing,       // applied, file gone
  kFuture,        // applied, newer than any file
  kOutOfOrder,    // pending, older than the latest applied version
  kBaseline,      // the baseline marker itself
  kBelowBaseline  // at or below the baseline version: never run here
};
std::string_view StateName(State s);

// The text fields are views into the MigrationSet and rows given to Join (like `applied` and
// `resolved`): a no-op run joins 1,000 entries and copies none of their strings.
struct Entry {
  State state = State::kPending;
  Kind kind = Kind::kVersioned;
  std::string version;  // display text, empty for repeatable
  std::string_view description;
  std::string_view script;
  std::string_view checksum;            // of the file when there is one, else the applied one
  const AppliedRow* applied = nullptr;  // the effective ledger row
  const Migration* resolved = nullptr;  // the file, if any
  bool checksum_mismatch = false;       // applied versioned file whose content changed
  std::string_view accepted_checksum;   // the checksum the ledger accepts for this version
};

struct StateReport {
  std::vector<Entry> entries;  // in execution order, then missing/future
  std::optional<Version> baseline;
  std::optional<Version> latest_applied;
};

// Joins files and ledger rows. `rows` must be in rank order; the report points into `set` and
// `rows`, which must outlive it.
StateReport Join(const MigrationSet& set, const std::vector<AppliedRow>& rows);

}  // namespace strata::migrate
