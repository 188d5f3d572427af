// One request/result pair per verb. The library does the work; the CLI renders the result as
// text, JSON or other formats. Every result carries `status`: ok, or the error that ended the
// command, with whatever was completed before it recorded in the other fields.
#pragma once

#include "strata/events.h"
#include "strata/options.h"
#include "strata/schema.h"  // schema dump, drift, test
#include "strata/status.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata {

// --- migrate
struct MigrateRequest {
  std::string target;  // apply versioned migrations up to and including this version
  bool dry_run = false;
  bool resume = false;  // continue a failed non-transactional migration at its failed statement
  // With resume: the operator's verdict on a statement that was in flight when the run stopped
  // and that strata cannot judge from the database: "done" (it took effect) or "rerun".
  std::string in_flight;
  // Apply plain migrations that touch a table with an open zero-downtime change (docs/change.md).
  bool allow_open_changes = false;
  // Before anything pending runs, complete the changes an earlier run left open (phase started
  // or completing): the caller says the old application version is gone (docs/change.md).
  bool complete_changes = false;
  // PostgreSQL: after every statement of a transactional migration, inside its transaction,
  // read the locks this backend holds and publish them as kStatementObserved events (in the
  // same pipeline as the statements; `strata test`'s observed locks). Migrations with COPY rows
  // and non-transactional ones are not observed.
  bool observe = false;
  EventSink sink;
};

// One pre-, post- or smoke check as it ran (docs/formats/checks.md).
struct CheckResult {
  std::string phase;  // pre-check, post-check, smoke
  std::string name;   // capture name or smoke name; "" when unnamed (the line identifies it)
  std::string file;
  int line = 0;
  std::string query;                 // secrets redacted by the renderers
  std::string expected;              // "= 0", "= 42 (captured lines_before)"
  std::optional<std::string> value;  // nullopt: NULL or no row
  bool ok = false;
  bool skipped = false;  // verify: run-dependent expectation, not judged again
  std::string message;   // why it failed; empty when ok
  std::int64_t elapsed_ms = 0;
};

struct AppliedMigration {
  std::string version;  // empty for repeatable
  std::string description;
  std::string script;
  std::string type;  // SQL or REPEATABLE
  std::string checksum;
  bool transactional = true;
  int statements = 0;  // statements this run executed
  int resumed_at = 0;  // --resume: the 1-based statement this run continued at; 0 otherwise
  int attempts = 1;
  std::int64_t execution_time_ms = 0;
  std::vector<std::int64_t> rows_affected;  // per statement
  std::vector<CheckResult> checks;          // pre- and post-checks, in the order they ran
  std::int64_t lock_wait_ms = 0;            // time lost to lock timeouts before the retry that won
  std::vector<std::string> lint_allowed;    // accepted `strata:allow` suppressions, as recorded
};

// The apply-time lint gate: what the analyzer said about the pending set before anything ran.
struct GateFinding {
  std::string file;
  int line = 0;
  int column = 0;
  std::string rule_id;  // "LK101"
  std::string rule_name;
  std::string severity;  // info, warning, error
  std::string message;
  std::string help;
  std::string size_note;  // live table size when it escalated the finding
};
struct AcceptedSuppression {
  std::string script;
  int line = 0;
  std::vector<std::string> rules;
  std::string reason;
  int suppressed = 0;  // findings it suppressed
};
struct LintGateReport {
  bool ran = false;
  std::string skipped;     // why the gate did not run ("[migrate] lint_gate = false", ...)
  std::string gate;        // severity threshold: info, warning, error
  std::string pg_version;  // "15 (live)"
  bool live = false;       // table sizes read from the database
  std::vector<GateFinding> blocking;  // unsuppressed findings at or above the gate
  std::vector<AcceptedSuppression> accepted;
  int findings_below_gate = 0;
};

// A Flyway-style callback (`beforeMigrate.sql`, ...) a migrate run executed.
struct CallbackRun {
  std::string event;      // beforeMigrate, beforeEachMigrate, afterEachMigrate, afterMigrate,
                          // afterMigrateError
  std::string script;     // the callback file, relative to its location
  std::string checksum;   // SHA-256 of its text as run (before placeholder expansion)
  std::string migration;  // the migration it ran around (the each-migration events)
  std::int64_t elapsed_ms = 0;
  bool ok = true;
};

namespace engine {
struct GateLint;  // engine/lint_gate.h
}
struct MigrateResult {
  Status status;
  std::string target;  // redacted URL
  std::vector<AppliedMigration> applied;
  int pending = 0;  // pending before the run
  // The highest applied version when the run judged the ledger (as `strata info` shows it;
  // "" when nothing is applied or the ledger was never read).
  std::string version_before;
  std::string dry_run_sql;  // --dry-run: exactly what would be sent
  std::vector<std::string> warnings;
  std::string run_id;  // the run record in strata_run (empty when nothing was applied)
  LintGateReport lint;
  std::vector<CallbackRun> callbacks;          // in the order they ran; also in the run record
  std::vector<std::string> changes_completed;  // --complete-changes: the changes it completed
  // request.observe: the lint gate's analysis of this run's pending set, so `strata test`'s
  // lock observer compares with it instead of linting the files again; null when the gate did
  // not run.
  std::shared_ptr<const engine::GateLint> gate_lint;
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
  std::string note;  // the ledger row's reason: retries, accepted lint suppressions, repairs
};
// An open zero-downtime change window (`strata change`, docs/change.md).
struct OpenChangeInfo {
  std::string name;  // the change file's stem
  std::string file;
  std::string phase;  // starting, started, completing, aborting
  std::string since;  // when start began
  std::vector<std::string> tables;
  // Per backfill job: "change.V2__x.0 completed, 20000 rows in 40 chunks (running now)".
  std::vector<std::string> backfill;
  bool running = false;   // a verb works on it now
  std::string next_step;  // what finishes or closes the window
};
struct InfoResult {
  Status status;
  std::string target;
  std::vector<InfoRow> migrations;
  std::vector<OpenChangeInfo> changes;  // open change windows (PostgreSQL)
};
InfoResult Info(const Options& options);

// --- validate
struct ValidateIssue {
  std::string kind;  // checksum-mismatch, missing, failed, broken-chain (also a lost anchored
                     // row), out-of-order, sum
  std::string script;
  std::string message;
  std::string hint;
};
struct ValidateRequest {
  // A head recorded outside the database (a CI artifact of an earlier `validate --json`'s
  // ledger_head): the ledger must still hold a row with this hash.
  std::string expect_head;
  // States accepted on top of strata.toml's validate.ignore: "pending", "future".
  std::vector<std::string> ignore;
};
struct ValidateResult {
  Status status;
  std::string target;
  std::vector<ValidateIssue> issues;
  int checked = 0;
  int ledger_rows = 0;      // the schema history's last rank
  std::string ledger_head;  // its row_hash ("" when empty): store it, pass it to --expect-head
};
ValidateResult Validate(const Options& options, const ValidateRequest& request = {});

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

// --- import (adopt another tool's history: docs/import.md)
struct ImportRequest {
  std::string from;      // flyway, golang-migrate, dbmate, diesel, liquibase, sqitch
  std::string source;    // the tool's migrations: a directory (a changelog file for liquibase);
                         // empty: the tool's default path
  std::string table;     // the tool's history table; empty: the tool's default
  std::string registry;  // sqitch on SQLite: URL of its registry database (default sqitch.db
                         // beside the target)
  bool dry_run = false;  // check and show everything; write nothing
};
// One migration of the other tool as strata carries it.
struct ImportedMigration {
  std::string source;   // the tool's file (path as given), with ":<id>" for a changeset
  std::string tool_id;  // the tool's key: its version, change name or author:id
  std::string script;   // strata's file name in the location
  std::string version;  // strata's version (empty for repeatable)
  bool transactional = true;
  bool applied = false;            // recorded in the tool's table
  std::string tool_checksum;       // as the tool records it (empty when the tool keeps none)
  std::string applied_on;          // as the tool records it
  std::string applied_by;          // as the tool records it
  bool written = false;            // this run wrote the file (false: identical file existed)
  std::vector<std::string> notes;  // what changed in carrying it (directive added, ...)
};
struct ImportResult {
  Status status;
  std::string tool;
  std::string source;    // directory or changelog read
  std::string location;  // strata location written
  std::string target;    // redacted URL; empty when no database was given (files only)
  std::string table;     // the tool's table read; empty when absent or no database
  bool dry_run = false;
  std::vector<ImportedMigration> migrations;  // in the tool's order (= strata's order)
  std::vector<std::string> not_carried;       // down files, Java/Go migrations, XML/YAML ...
  std::vector<std::string> files_written;     // migration files and strata.sum
  int ledger_rows = 0;                        // IMPORTED rows written (or to write)
};
ImportResult Import(const Options& options, const ImportRequest& request);

// --- hash (rewrites strata.sum)
// --- hash (rewrites strata.sum; with `check`, only compares it: kSumMismatch names the files)
struct HashRequest {
  bool check = false;  // write nothing; fail when a strata.sum differs from the files
};
struct HashResult {
  Status status;
  std::vector<std::string> written;
  int migrations = 0;
  bool checked = false;  // `check` ran and every strata.sum matched
};
HashResult Hash(const Options& options, const HashRequest& request = {});

// --- wait: until the database accepts connections and answers a query (src/session). For
// containers and CI: `strata wait --timeout 30s && strata migrate`. Fails with kConnection
// (exit 6) when the timeout passes first, or at once on an error waiting cannot cure (bad URL,
// authentication).
struct WaitRequest {
  std::chrono::milliseconds timeout{30'000};
};
struct WaitResult {
  Status status;
  std::string target;          // redacted URL
  int attempts = 0;            // connection attempts made
  std::int64_t waited_ms = 0;  // from the first attempt to the answer (or giving up)
};
WaitResult Wait(const Options& options, const WaitRequest& request);

// --- verify: post-checks of applied migrations again, and [smoke] queries (src/evidence)
struct VerifyRequest {
  bool smoke = false;       // also run the [smoke.*] queries of strata.toml
  bool smoke_only = false;  // only the smoke queries
};
struct VerifiedMigration {
  std::string script;
  std::string version;
  bool file_changed = false;  // the file's checksum differs from the ledger's
  std::vector<CheckResult> checks;
};
struct VerifyResult {
  Status status;  // kCheckFailed when any check did not hold
  std::string target;
  std::string run_id;  // the run record of this verification
  std::vector<VerifiedMigration> migrations;
  std::vector<CheckResult> smoke;
  int passed = 0;
  int failed = 0;
  int skipped = 0;  // run-dependent expectations (rows affected, captured values)
};
VerifyResult Verify(const Options& options, const VerifyRequest& request);

// --- tag: a named release point in the evidence ledger
struct TagRequest {
  std::string name;
  std::string note;
};
struct TagResult {
  Status status;
  std::string target;
  std::string name;
  std::string run_id;
  std::string tagged_at;
  int applied = 0;          // successful migrations in the ledger at the tag
  std::string ledger_head;  // row_hash of the ledger's last row at the tag
};
TagResult Tag(const Options& options, const TagRequest& request);

// --- evidence: a package of what happened, with a SHA-256 digest and optional signature
struct EvidenceRequest {
  std::string release;        // runs after the previous tag up to this tag
  std::string since;          // runs started at or after this ISO-8601 time (or a date)
  std::string run_id;         // one run
  std::string format = "md";  // md or json
  std::string sign_key;       // PEM file of an Ed25519 private key (optional)
};
struct EvidenceResult {
  Status status;
  std::string target;
  std::string format;
  std::string package;  // the complete package text (Markdown or JSON), digest included
  std::string digest;   // "sha256:<hex>"
  bool signed_package = false;
  std::string key_fingerprint;  // SHA-256 of the raw public key, when signed
  int runs = 0;
};
EvidenceResult Evidence(const Options& options, const EvidenceRequest& request);

struct EvidenceVerifyRequest {
  std::string path;
  std::string public_key;  // PEM file of the expected Ed25519 public key (optional)
};
struct EvidenceVerifyResult {
  Status status;  // kValidation when the digest or the signature does not match
  std::string path;
  std::string format;
  std::string digest;
  bool digest_ok = false;  // the stated digest is the content's
  bool whole = false;      // nothing in the file outside the sealed content and its seal
  std::string uncovered;   // when not whole: where ("line 42: text after the signature line")
  bool signed_package = false;
  bool signature_ok = false;  // the signature holds over the digest, and the file is intact
  bool key_pinned = false;    // signed by the key --public-key names
  std::string key_fingerprint;
  std::string expected_fingerprint;  // of --public-key's key, when given
};
EvidenceVerifyResult VerifyEvidence(const EvidenceVerifyRequest& request);

// --- plan: the runbook before the change
struct PlanRequest {
  bool all = false;     // every migration file, without reading the database
  std::string release;  // only this release
};
struct PlanStatement {
  int line = 0;
  std::string summary;  // the statement's first line
  std::string effect;   // additive, breaking, contract, data, other
  std::string kind;     // the analyzer's statement kind ("create-index"), "" when by keywords
  std::string lock;     // PostgreSQL table lock it takes, "" if none
  std::string table;
  bool target_is_new = false;        // created earlier in the planned set: nobody else uses it yet
  bool blocks_reads = false;         // the lock blocks plain SELECTs on an existing table
  bool blocks_writes = false;        // ... INSERT/UPDATE/DELETE on an existing table
  bool rewrite = false;              // writes a new heap
  bool scan = false;                 // reads the whole table under the lock
  bool rewrites = false;             // rewrite || scan
  std::vector<std::string> reasons;  // why it rewrites or scans
  // "analyzer" (PostgreSQL's grammar parsed it), or "keywords" (it did not, e.g. SQLite-only
  // syntax: effect, lock and table come from the keyword classifier).
  std::string classified_by;
  std::int64_t live_rows = -1;  // with a reachable database
  std::int64_t live_bytes = -1;
};
// A lint finding on a planned migration (suppressed ones included, with their reason).
struct PlanLintFinding {
  std::string rule_id;  // "LK101"
  std::string rule_name;
  std::string severity;  // info, warning, error
  int line = 0;
  int column = 0;
  std::string message;
  std::string help;
  std::string size_note;   // live table size, when known
  bool escalated = false;  // raised to error by the live table size
  bool suppressed = false;
  std::string suppression_reason;
};
struct PlanCheck {
  std::string phase;  // pre-check, post-check
  std::string name;
  int line = 0;
  std::string query;
  std::string expected;
};
struct PlanMigration {
  std::string script;
  std::string version;
  std::string description;
  bool transactional = true;
  bool pending = true;
  std::string effect;  // strongest statement effect: contract > breaking > data > additive
  std::vector<std::pair<std::string, std::string>> intent;  // label, value (template order)
  std::string risk_class;                                   // as declared in the intent header
  std::string recovery;  // roll-forward, rollback, none, or "" when not stated
  // The safety analyzer's view (strata lint): the strictest risk class that applies, every
  // class that applies, the lifecycle gates they require, and the lint findings.
  std::string analyzed_risk_class;
  std::vector<std::string> risk_classes;
  std::vector<std::string> gates;
  std::vector<PlanLintFinding> lint;
  std::vector<PlanStatement> statements;
  std::vector<PlanCheck> checks;
  std::vector<std::string>
      findings;  // plan findings (missing intent, ...); lint ones are in `lint`
};
struct PlanCell {
  std::string db_state;  // "before V5", "after V5 (backfill ...)"
  std::string old_app;   // works, fails, not-required
  std::string new_app;
  std::string justification;  // from the header, or derived from the deployment order
  bool justified = true;
};
struct PlanSurface {
  std::string surface;  // api, events, cache, workflow, decisions, read-models, documents, audit
  std::string verdict;  // passed, not-required, not-applicable, failed, unstated
  std::string statement;
};
struct PlanRelease {
  std::string name;
  std::string title;
  std::string order;  // migration-before-app, app-before-migration, phased
  std::vector<std::string> steps;
  std::vector<PlanMigration> migrations;
  std::vector<PlanCell> matrix;
  std::vector<PlanSurface> surfaces;
  std::vector<std::string> stop_criteria;
  std::vector<std::string> failure_handling;
  std::vector<std::string> roll_forward;
  std::vector<std::string> findings;
};
struct PlanResult {
  Status status;
  std::string target;        // redacted URL, empty with --all
  bool live = false;         // table sizes read from the database
  std::string pg_version;    // what the analyzer assumed: "15 (live)", "15 (default)"
  std::string dialect_note;  // e.g. SQLite targets: only dialect-neutral lint rules
  std::vector<PlanRelease> releases;
  int findings = 0;       // plan findings (runbook gaps)
  int lint_findings = 0;  // unsuppressed lint findings
};
PlanResult Plan(const Options& options, const PlanRequest& request);

}  // namespace strata
