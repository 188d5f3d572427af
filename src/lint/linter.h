// The linter: runs the rule catalogue over migration files in order, against one pending-set
// model, and returns findings, per-statement lock analysis, a risk class per migration (seed
// 003's strictness matrix) and every `-- strata:allow` suppression with what it suppressed.
// Static by default; given LiveInfo (read from a connected PostgreSQL) it knows the server
// version and table sizes and escalates size-sensitive rules on large tables.
// Functions are reentrant; a LintResult is a plain value.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"
#include "strata/result.h"

#include "lint/rule.h"

#include <memory>
#include <string>
#include <vector>

namespace strata::db {
class Connection;
}
namespace strata::analysis {
class SchemaModel;
}
namespace strata::migrate {
struct Migration;
}

namespace strata::lint {

// One file to lint.
struct LintInput {
  std::string path;     // for messages (as the user gave it)
  std::string script;   // file name ("V3__add_index.sql")
  std::string text;     // normalised content
  bool pending = true;  // false: applied already; read for the model only, not reported
  bool repeatable = false;
  // Set when the file is already applied (ledger) or merged (git) and its content changed
  // since: says how we know ("checksum differs from the ledger", "modified since origin/main").
  std::string changed_after_apply;
  // Context the live target already has (the ledger's applied files): a SQLite scratch seeded
  // from the live schema does not run it again (lint/pending_set.h).
  bool applied = false;
};

struct StatementReport {
  int line = 0;
  int column = 0;
  std::string kind;     // "create-index"
  std::string summary;  // first line of the statement
  std::string target;   // "public.orders" or ""
  bool target_is_new = false;
  std::string lock;  // "SHARE", "" for none
  bool blocks_reads = false;
  bool blocks_writes = false;
  bool rewrite = false;
  bool scan = false;
  bool concurrent = false;
  std::vector<std::string> reasons;
  std::vector<std::string> other_locks;  // "SHARE ROW EXCLUSIVE on users"
  TableStats size;                       // live size of the target when known
  bool observed = false;  // lock, rewrite and other locks come from a trace (lint --trace)
};

struct MigrationReport {
  std::string path;
  std::string risk_class;            // the strictest class that applies
  std::vector<std::string> classes;  // every class that applies
  std::vector<std::string> gates;    // lifecycle gates the classes require
  std::vector<StatementReport> statements;
  int findings = 0;  // unsuppressed
};

struct SuppressionRecord {
  std::string file;
  int line = 0;
  std::vector<std::string> rules;  // as written
  std::string reason;
  bool file_scope = false;
  int used = 0;  // findings it suppressed
};

struct LintResult {
  Status status;                  // not ok only for I/O or connection errors, never for findings
  std::vector<Finding> findings;  // suppressed ones included (suppressed = true)
  std::vector<MigrationReport> migrations;
  std::vector<SuppressionRecord> suppressions;
  int pg_version = 15;
  std::string pg_version_source;  // "default", "config", "live", "flag"
  std::string sqlite_version;     // SQLite targets: the version judged against ("3.40.1")
  bool live = false;
  size_t statements = 0;
  size_t bytes = 0;
  Severity gate = Severity::kError;  // [lint] gate, for the apply-time gate
  // The pending set's model after the last file. Held here so that its teardown (a map per
  // table: ~4 % of linting 10,000 files) happens with the result's, which `strata lint` skips.
  std::shared_ptr<const analysis::SchemaModel> model;

  // Unsuppressed findings at or above `threshold`.
  int CountAtLeast(Severity threshold) const;
  // Unsuppressed findings at or above the gate: migrate refuses to apply when > 0.
  int Blocking() const { return CountAtLeast(gate); }
};

// Whether a finding means the same on SQLite as on PostgreSQL: breaking changes (BC), data
// changes (DM), policy (PO), identifier contracts (ID), suppression meta (SY, except SY101
// parse errors: SQLite's grammar is not PostgreSQL's) and vague names (ST106). Lock, rewrite and
// type rules model PostgreSQL only. The apply-time gate and `plan` use this on SQLite targets.
// The SQ family (SQLite's own dangers) is SQLite-only. Lint runs only the rules that apply to
// config.dialect, so the gate, `plan` and `lint` see the same findings for the same target.
bool MeansTheSameOnSqlite(const Finding& f);
bool MeansTheSameOnSqlite(std::string_view rule_id);
bool RuleAppliesTo(std::string_view rule_id, db::Dialect dialect);

// Lints `inputs` in order. Never fails on SQL: parse errors are findings. `jobs`: threads to
// use (`strata lint --jobs`); files are parsed ahead and finished on other threads while the
// model-dependent rules run in file order on this one. The result does not depend on `jobs`.
LintResult Lint(const std::vector<LintInput>& inputs, const LintConfig& config,
                const LiveInfo* live = nullptr, int jobs = 1);

// Reads [lint] from the project's strata.toml (options.config_path) into a LintConfig, and
// takes the ledger table and engine timeouts from `options`. Errors: kConfig with file:line
// for unknown keys or wrong types.
Result<LintConfig> LoadLintConfig(const Options& options);

// Reads the server version and pg_class row estimates and sizes of every ordinary table; with
// `contracts` declaring identifiers, also the views and ON DELETE CASCADE foreign keys the ID
// rules follow (LiveInfo::relation_definitions; not read otherwise: pg_get_viewdef per view).
// Errors: kConnection from the driver. Only PostgreSQL connections have anything to read.
Result<LiveInfo> ReadLiveInfo(db::Connection& connection,
                              const identifiers::Contracts* contracts = nullptr);

// The apply-time gate: lints `pending` (in apply order) as the pending set against the target
// `live` (lint/pending_set.h: its dialect, version, sizes, SQLite schema). The caller refuses
// to apply when result.CountAtLeast(gate) > 0; suppressions with used > 0 are the accepted ones
// to record in the ledger. Errors: kConfig ([lint] invalid), kConnection (reading pg_class).
Result<LintResult> LintPending(const Options& options,
                               const std::vector<const migrate::Migration*>& pending,
                               db::Connection* live);

// Loads files and directories the way `strata lint` does: a directory is a migration location
// (engine discovery and order; files that do not follow V/R naming are linted in path order).
// Errors: kIo naming the path (the first in `paths` order). `jobs`: threads to read the files
// named one by one with (10,000 files on a command line); the result does not depend on it.
Result<std::vector<LintInput>> LoadInputs(const std::vector<std::string>& paths,
                                          const std::vector<std::string>& ignore_patterns,
                                          int jobs = 1);

// `strata lint -`: the one migration read from standard input is the only pending input. When
// `stdin_name` names one of `inputs` (the same file after resolving the path), `text` replaces
// that file's content; otherwise it is added after them, named `stdin_name` (or "<stdin>").
// Every other input is context, read for the model only.
void UseStdinInput(std::vector<LintInput>& inputs, std::string text, const std::string& stdin_name);

// The ledger's view (`strata info` rows): an applied versioned file is context, not pending; an
// applied file whose checksum differs from the ledger's stays pending and is flagged as changed
// after apply. Repeatable files stay pending (they run again when changed).
void MarkApplied(std::vector<LintInput>& inputs, const std::vector<InfoRow>& ledger);

}  // namespace strata::lint
