// One request/result pair per verb. The library does the work; the CLI renders the result as
// text, JSON or other formats. Every result carries `status`: ok, or the error that ended the
// command, with whatever was completed before it recorded in the other fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/events.h"
#include "strata/options.h"
#include "strata/status.h"

namespace strata {

// --- migrate
struct MigrateRequest {
  std::string target;  // apply versioned migrations up to and including this version
  bool dry_run = false;
  bool resume = false;  // continue a failed non-transactional migration at its failed statement
  EventSink sink;
};

struct AppliedMigration {
  std::string version;  // empty for repeatable
  std::string description;
  std::string script;
  std::string type;  // SQL or REPEATABLE
  std::string checksum;
  bool transactional = true;
  int statements = 0;
  int attempts = 1;
  std::int64_t execution_time_ms = 0;
  std::vector<std::int64_t> rows_affected;  // per statement
};

struct MigrateResult {
  Status status;
  std::string target;  // redacted URL
  std::vector<AppliedMigration> applied;
  int pending = 0;          // pending before the run
  std::string dry_run_sql;  // --dry-run: exactly what would be sent
  std::vector<std::string> warnings;
};
MigrateResult Migrate(const Options& options, const MigrateRequest& request);

// --- info
struct InfoRow {
  std::string version;
  std::string description;
  std::string type;  // SQL, REPEATABLE, BASELINE
  std::string script;
  std::string state;  // pending, applied, failed, outdated, missing, future, out-of-order, ...
  std::string checksum;
  std::string installed_on;
  std::string installed_by;
  std::int64_t execution_time_ms = -1;
  bool checksum_mismatch = false;
};
struct InfoResult {
  Status status;
  std::string target;
  std::vector<InfoRow> migrations;
};
InfoResult Info(const Options& options);

// --- validate
struct ValidateIssue {
  std::string kind;  // checksum-mismatch, missing, failed, broken-chain, out-of-order, sum
  std::string script;
  std::string message;
  std::string hint;
};
struct ValidateResult {
  Status status;
  std::string target;
  std::vector<ValidateIssue> issues;
  int checked = 0;
};
ValidateResult Validate(const Options& options);

// --- repair
struct RepairRequest {
  std::vector<std::string> accept_checksum;  // versions whose new checksum is accepted
  std::string reason;                        // required
  std::string clear_failed_version;          // optional: only this failed version
};
struct RepairResult {
  Status status;
  std::string target;
  std::vector<std::string> actions;  // one line per ledger row appended
};
RepairResult Repair(const Options& options, const RepairRequest& request);

// --- baseline
struct BaselineRequest {
  std::string version;
  std::string description = "<< baseline >>";
};
struct BaselineResult {
  Status status;
  std::string target;
  std::string version;
  int skipped = 0;  // migration files at or below the baseline
};
BaselineResult Baseline(const Options& options, const BaselineRequest& request);

// --- hash (rewrites strata.sum)
struct HashResult {
  Status status;
  std::vector<std::string> written;
  int migrations = 0;
};
HashResult Hash(const Options& options);

}  // namespace strata
