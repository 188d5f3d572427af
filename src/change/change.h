// strata change: zero-downtime expand/contract changes written as plain SQL (issue 19, seed 000
// §3-5, §23, seed 002). A change is a migration file marked `-- strata:change` whose statements
// are the DDL a developer writes for the end state (RENAME COLUMN, ALTER COLUMN TYPE, SET NOT
// NULL, ADD COLUMN ... NOT NULL, DROP COLUMN). strata derives the operations from the
// analyzer's parse tree (Derive) and runs them in phases:
//   start    expand: new columns (both representations stay real columns of the same table, so
//            an application that never heard of strata keeps working), NOT VALID checks, one
//            BEFORE trigger per operation keeping old and new in step for writes from either
//            version (it only assigns NEW: no ping-pong), then a backfill of existing rows by
//            the backfill engine (chunked, checkpointed, resumable).
//   complete verify (no unmigrated rows; VALIDATE the checks), then contract in one short
//            transaction: SET NOT NULL through the validated check, drop the old column, the
//            triggers and functions, rename to the final names.
//   abort    remove everything start added; values either version wrote stay in the old
//            representation.
// Every DDL transaction runs with a short lock_timeout and is retried with backoff. Phases
// are recorded in strata_change (sql/postgres.sql) next to the ledger. PostgreSQL only.
// Functions open their own connections; not thread-safe with respect to their arguments.
#pragma once

#include "strata/options.h"
#include "strata/result.h"
#include "strata/status.h"

#include "db/connection.h"
#include "sql/directives.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strata::change {

// Operation kinds. Values are stored (by name) in strata_change.operations: never rename.
enum class OpKind {
  kRenameColumn,
  kAlterType,
  kSetNotNull,
  kAddColumn,
  kDropColumn,
  kAddCheck,       // ADD CONSTRAINT c CHECK (...): NOT VALID at start, VALIDATE at complete
  kAddForeignKey,  // ADD CONSTRAINT c FOREIGN KEY ...: the same
  kAddUnique,      // ADD CONSTRAINT c UNIQUE (...): CREATE UNIQUE INDEX CONCURRENTLY at start,
                   // ADD CONSTRAINT ... USING INDEX at complete
  kCreateIndex,    // CREATE INDEX: CONCURRENTLY, outside a transaction, at start
  kRenameTable,    // ALTER TABLE t RENAME TO u: at start the table takes its new name and an
                   // auto-updatable view keeps the old one; complete drops the view
};
std::string_view OpKindName(OpKind k);

struct Operation {
  OpKind kind = OpKind::kRenameColumn;
  std::string schema;  // as written (empty: the search_path's)
  std::string table;
  std::string column;      // the existing column (for kAddColumn: the added one)
  std::string new_column;  // kRenameColumn: the new name; kAddColumn: the added one
  std::string new_type;    // kAlterType / kAddColumn: the type as parsed (pg_catalog.int4)
  std::string up;          // expression over the old row ("" when not needed)
  std::string down;        // expression over the new row
  bool up_inferred = false;
  bool down_inferred = false;
  // kAddColumn written without NOT NULL: allowed with an `up` (a split's or merge's new column).
  bool nullable = false;
  int line = 0;  // statement position in the file
  int col = 0;
  std::string statement;  // the statement text
  // Constraint and index operations: the constraint's (or index's) name, and the DDL start
  // runs (the statement with NOT VALID, or made CONCURRENTLY; for UNIQUE the key columns).
  std::string object;
  std::string ddl;
};

// A change file read without a database: its directives and derived operations.
struct ChangeSpec {
  std::string name;  // file stem
  std::string path;
  std::string checksum;
  std::int64_t chunk_size = 1000;
  double max_rows_per_second = 0;
  std::vector<Operation> operations;
};

// Reads `text` (the file at `path`). Errors (kValidation / kDirective) name file:line:col and
// say what strata cannot make zero-downtime and what to write instead.
Result<ChangeSpec> Derive(std::string_view text, const std::string& path);

// One DDL transaction or data step of a phase.
struct Step {
  std::string phase;  // start, backfill, complete, abort
  std::string what;   // one line for a human
  std::vector<std::string> sql;
  std::string lock;    // the strongest lock it takes and for how long
  bool no_tx = false;  // CREATE INDEX CONCURRENTLY: runs outside a transaction
};

struct PlannedOperation {
  Operation op;
  std::vector<std::string> creates;  // objects start creates
  std::vector<std::string> drops;    // objects complete drops
  std::string old_sees, new_sees;    // what each application version sees during the window
  std::string unmigrated_sql;        // predicate of rows still to migrate ("" none)
  std::vector<std::string> notes;    // inferred expressions, moved defaults
};

// --- plan
struct PlanRequest {
  std::string file;
};
struct PlanResult {
  Status status;
  std::string target;
  std::string name;
  std::vector<PlannedOperation> operations;
  std::vector<Step> steps;
  std::string phase;  // the change's recorded phase, "" when never started
  // The file's own statements: the end state the phases reach (what a plain migration would
  // have run), each once, in file order.
  std::vector<std::string> end_state;
};
PlanResult Plan(const Options& options, const PlanRequest& request);

// For `migrate --dry-run`: what migrate would run for the change file at `path` (its start
// phase's SQL, the backfill), with its end-state DDL and derived operations as comments; the
// refusal as a comment when the plan fails.
std::string DryRunText(const Options& options, const std::string& path);

// --- start / complete / abort
struct PhaseEvent {
  std::string phase;
  std::string message;
  std::int64_t processed = 0;
};
using PhaseSink = std::function<void(const PhaseEvent&)>;

struct PhaseRequest {
  std::string file;
  PhaseSink sink;
  // Start only: more change files started with `file` in one window (migrate passes the
  // pending change files that follow it with no plain migration between). All are resolved
  // and recorded before any DDL runs; the operations of all of them on one table share one
  // backfill pass (one job, named after its first operation).
  std::vector<std::string> window;
};
struct PhaseResult {
  Status status;
  std::string target;
  std::string name;
  std::string phase;              // the phase recorded when the verb returns
  std::vector<std::string> done;  // steps run (or found done) this time
  std::int64_t backfilled = 0;
  std::int64_t unmigrated = -1;  // complete: rows verification found unmigrated
  bool already = false;          // nothing to do: the phase was already reached
  std::string next_step;
};
PhaseResult Start(const Options& options, const PhaseRequest& request);
PhaseResult Complete(const Options& options, const PhaseRequest& request);
PhaseResult Abort(const Options& options, const PhaseRequest& request);

// --- status
struct ChangeState {
  std::string name;
  std::string file;
  std::string phase;
  std::string started_at, finished_at, updated_at;
  std::string message;
  std::vector<std::string> tables;
  std::vector<std::string> triggers;  // present now
  std::int64_t unmigrated = -1;       // rows still unmigrated (open changes)
  std::vector<std::string> sessions;  // application_name of clients connected right now
  // One line per backfill job of the change: "change.V2__x.0 completed, 20000 rows".
  std::vector<std::string> backfill;
  // For a phase in progress (starting, completing, aborting): whether a verb is working on it
  // right now (it holds the change's lock) and, when none is, the verb to rerun to finish it.
  bool running = false;
  std::string running_by;  // the lock holder, "pid 4242 (strata change complete ...) since ..."
  std::string next_step;
};
struct StatusRequest {
  std::string name;  // empty: all
};
struct StatusResult {
  Status status;
  std::string target;
  std::vector<ChangeState> changes;
};
StatusResult GetStatus(const Options& options, const StatusRequest& request);

// For `info`: the open change windows (phase starting, started, completing or aborting) on the
// target `conn` is connected to, with backfill progress from the backfill engine's state and
// whether a verb is working on each now; no row counts (info stays cheap on big tables). Empty
// when there is no state table or the target is not PostgreSQL.
Result<std::vector<ChangeState>> OpenChanges(const Options& options, db::Connection& conn);

// For `migrate`: whether a migration's directives (as Prepare parsed them) include
// `-- strata:change`.
bool IsChangeFile(const sql::FileSettings& settings);

// For `migrate`: kValidation naming `path`:line:col, the table and the open change when a
// statement of the plain migration `text` targets one of `open_tables` (OpenChangeTables);
// the hint names `--allow-open-changes`.
Status CheckPlainMigration(const std::vector<std::string>& open_tables, std::string_view text,
                           const std::string& path);

// For `migrate`: the tables with an open change (phase starting/started/completing/aborting),
// each as "schema.table" or "table". Empty when there is no state table.
Result<std::vector<std::string>> OpenChangeTables(db::Connection& conn);

}  // namespace strata::change
