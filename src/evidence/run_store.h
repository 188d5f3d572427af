// The evidence ledger: strata_run (one row per run of a database-changing verb) and
// strata_run_migration (one row per migration a run touched), beside the schema history in the
// same schema. DDL in evidence/sql/*.sql (embedded); format in docs/formats/evidence.md.
//
// RunRecorder is what a verb uses: Start() inserts the run row with outcome "running" before
// anything changes, Migration() appends a detail row after each migration's transaction has
// ended (committed or rolled back, so a failure is recorded too), Finish() sets the outcome.
// A killed run leaves its row "running": the ledger still says it started and what completed.
// Every stored string is passed through secret redaction first.
// Not thread-safe: one store/recorder per connection.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::evidence {

struct RunRow {
  std::string run_id;
  std::string verb;
  std::string tag;
  std::string os_user, db_user, host, tool_version, config_checksum, target;
  std::string started_at, finished_at;
  std::string outcome;  // running, succeeded, failed
  std::string error_code, error_message;
  std::string detail;  // JSON text or empty
};

struct RunMigrationRow {
  std::string run_id;
  int seq = 0;
  std::string script, version, checksum;
  bool transactional = true;
  std::string outcome;  // applied, failed
  int statements = 0;
  std::vector<std::int64_t> rows_affected;
  std::int64_t duration_ms = 0;
  int attempts = 1;
  std::int64_t lock_wait_ms = 0;
  std::vector<CheckResult> checks;
  std::string error_message;
};

class RunStore {
 public:
  // `schema` is the ledger's schema (empty: the connection's default).
  RunStore(db::Connection& conn, std::string schema);

  Result<bool> Exists();
  // Creates both tables if missing. Idempotent.
  Status Create();
  Status InsertRun(const RunRow& r);
  Status FinishRun(const RunRow& r);  // finished_at, outcome, error_*, detail by run_id
  Status InsertMigration(const RunMigrationRow& m);
  // All runs, oldest first; empty when the tables do not exist.
  Result<std::vector<RunRow>> Runs();
  // Detail rows of one run, in seq order.
  Result<std::vector<RunMigrationRow>> Migrations(const std::string& run_id);

 private:
  db::Connection& conn_;
  std::string prefix_;  // "" or "\"schema\"."
};

// A fresh run id: "r20261121T205415123Z-1a2b3c4d", sortable by start time.
std::string NewRunId();
// The OS user, the host name.
std::string OsUser();
std::string HostName();

class RunRecorder {
 public:
  // Creates the tables when missing and inserts the run row. `target` is the redacted URL.
  static Result<std::unique_ptr<RunRecorder>> Start(db::Connection& conn, const Options& options,
                                                    std::string verb, std::string target,
                                                    std::string tag = {});
  const std::string& run_id() const { return row_.run_id; }

  // Records one migration after its transaction ended; `status` is how it ended.
  Status Migration(const AppliedMigration& m, const Status& status);
  // Sets the run's outcome from `status` (and optional JSON detail). Idempotent: only the first
  // call writes.
  Status Finish(const Status& status, std::string detail_json = {});

 private:
  RunRecorder(db::Connection& conn, std::string schema) : store_(conn, std::move(schema)) {}
  RunStore store_;
  RunRow row_;
  int seq_ = 0;
  bool finished_ = false;
};

}  // namespace strata::evidence
