// The evidence ledger: strata_run (one row per run of a database-changing verb) and
// strata_run_migration (one row per migration a run touched), beside the schema history in the
// same schema. DDL in session/sql/*.sql (embedded); format in docs/formats/evidence.md.
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
#include "ledger/ledger.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::session {

struct RunRow {
  std::string run_id;
  std::string verb;
  std::string tag;
  std::string os_user, db_user, host, tool_version, config_checksum, target;
  std::string started_at, finished_at;
  std::string outcome;  // running, succeeded, failed
  std::string error_code, error_message;
  std::string detail;  // JSON text or empty
  // The schema history's anchor when the run started, updated when it finished
  // (ledger::AnchorFor); 0 and "" when not recorded (a run before anchors, or no ledger).
  int ledger_rows = 0;
  std::string ledger_head;
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
  // Creates both tables if missing, and adds the columns later versions added (ledger_rows,
  // ledger_head) to a table an older strata created. Idempotent; safe against a concurrent
  // runner doing the same.
  Status CreateOrUpgrade();
  // The columns of strata_run; empty when the table does not exist.
  Result<std::vector<std::string>> RunColumns();
  Status InsertRun(const RunRow& r);
  Status FinishRun(const RunRow& r);  // finished_at, outcome, error_*, detail by run_id
  Status InsertMigration(const RunMigrationRow& m);
  // All runs, oldest first; empty when the tables do not exist. A table an older strata
  // created reads with no anchors.
  Result<std::vector<RunRow>> Runs();
  // Detail rows of one run, in seq order.
  Result<std::vector<RunMigrationRow>> Migrations(const std::string& run_id);

 private:
  Status Create();
  // RunColumns; with `whole_store`, empty also when strata_run_migration is missing.
  Result<std::vector<std::string>> Columns(bool whole_store);
  db::Connection& conn_;
  std::string schema_;
  std::string prefix_;  // "" or "\"schema\"."
};

// How an anchor's run is named in messages: "tag `R1`", "the migrate run r2026...".
std::string AnchorSource(std::string_view verb, std::string_view tag, std::string_view run_id);

// The anchors recorded in strata_run (every run and tag carries one), oldest first; empty when
// strata_run does not exist or an older strata created it and no run has recorded one since.
// `highest_only`: only the most recent anchor with the most rows (one row read: what migrate
// needs to refuse a ledger that lost its last rows). On PostgreSQL call it outside a
// transaction: the read is tried first and the columns are asked about only when it fails.
Result<std::vector<ledger::Anchor>> ReadAnchors(db::Connection& conn, const std::string& schema,
                                                bool highest_only = false);

// ReadAnchors sent in the same round trip as the schema history's read (a no-op migrate makes
// one): `also()` is the read to pass to Ledger::ReadIfExists, which fills `anchors` and
// `status`. Not copyable: the read writes into this object.
struct AnchorRead {
  AnchorRead(std::string schema, bool highest_only);
  AnchorRead(const AnchorRead&) = delete;
  AnchorRead& operator=(const AnchorRead&) = delete;
  const ledger::Ledger::Also* also() const { return &also_; }

  std::string schema;
  std::vector<ledger::Anchor> anchors;
  std::optional<Status> status;  // nullopt: not run (the ledger read failed before it)

 private:
  ledger::Ledger::Also also_;
};

// The anchor check of `rows` (the schema history in rank order, as read) against strata_run:
// ReadAnchors + ledger::AnchorBreaks. Messages follow "ledger hash chain broken at "; empty when
// the ledger still holds every anchored row. With `read` (run with the rows' own read), its
// anchors are used instead of reading them again. Errors: the database's, reading strata_run.
Result<std::vector<std::string>> AnchorBreaks(db::Connection& conn, const Options& options,
                                              const std::vector<ledger::AppliedRow>& rows,
                                              bool highest_only = false,
                                              AnchorRead* read = nullptr);

// A fresh run id: "r20261121T205415123Z-1a2b3c4d", sortable by start time.
std::string NewRunId();

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
  RunRecorder(db::Connection& conn, const Options& options)
      : store_(conn, options.ledger_schema),
        ledger_(conn, options.ledger_table, options.ledger_schema) {}
  // Sets row_'s anchor from the schema history's last row; leaves it as it was when the read
  // fails (the run record is still written).
  void ReadAnchor();
  RunStore store_;
  ledger::Ledger ledger_;
  RunRow row_;
  int seq_ = 0;
  bool finished_ = false;
};

}  // namespace strata::session
