// The rule interface. A rule is one function over a Context: called once per statement
// (statement rules) or once per migration file after its last statement (file rules). It reads
// the statement's parse tree and Facts, the pending-set model as it was before the statement,
// the file's running state (timeouts set, explicit transaction, locks held) and the config, and
// reports findings through Context::Report. Rules hold no state; the registry (rules.def) is a
// constant table. Everything here is used by one thread per lint run.
#pragma once

#include "analysis/analysis.h"
#include "analysis/later_files.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "identifiers/contract.h"

namespace strata::lint {

struct Trace;

enum class Severity : std::uint8_t { kInfo, kWarning, kError };
std::string_view SeverityName(Severity s);  // "info", "warning", "error"
std::optional<Severity> ParseSeverity(std::string_view s);

enum class Scope : std::uint8_t { kStatement, kFile, kMeta };

// One finding. Positions are 1-based; the file is as given to the linter.
struct Finding {
  std::string rule_id;    // "LK101"
  std::string rule_name;  // "require-concurrent-index-creation"
  Severity severity = Severity::kWarning;
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;  // names the lock and the table
  std::string help;     // one actionable sentence
  // The source at `line`, secrets masked; on a long line a window of it around `column`, with
  // "..." where it was cut. Filled by the linter once a file's findings are known.
  std::string source_line;
  int source_column = 0;     // 1-based column of `column` within source_line
  int statement_index = -1;  // -1: file-level
  bool suppressed = false;
  std::string suppression_reason;
  bool escalated = false;  // raised to error by live table size
  std::string size_note;   // "orders: ~12,000,000 rows, 3.1 GB" when live-aware
};

// Table statistics read from pg_class on a live database.
struct TableStats {
  std::int64_t rows = -1;   // reltuples estimate; -1 unknown
  std::int64_t bytes = -1;  // pg_total_relation_size
};

struct LiveInfo {
  int server_major = 0;
  std::string server_version;
  std::map<std::string, TableStats> tables;  // by analysis::TableRef::Key()
  // Every index in the live catalog, by TableRef::Key() of its name → its table.
  std::map<std::string, analysis::TableRef> indexes;
  // Every column of every ordinary table: type (pg_type.typname), typmods, NOT NULL.
  struct Column {
    analysis::TableRef table;
    std::string name;
    analysis::ColumnInfo info;
  };
  std::vector<Column> columns;
  // Views and ON DELETE CASCADE foreign keys as SQL (`CREATE VIEW ... AS ...`, `ALTER TABLE ...
  // ADD CONSTRAINT ... FOREIGN KEY ...`), read into the model when identifier contracts are
  // declared, so the ID rules see an UPDATE through an existing view and a cascade from an
  // existing table.
  std::vector<std::string> relation_definitions;
  // Every index as `pg_get_indexdef` writes it (`CREATE INDEX ... ON s.t USING btree (c)`), read
  // into the model so CN111 knows which columns an existing table's indexes lead with.
  std::vector<std::string> index_definitions;
  // The live planner's row estimate for one statement (EXPLAIN (FORMAT JSON), never executed):
  // the rows an UPDATE/DELETE would touch. nullopt when it cannot be planned (an object the
  // pending set creates, a placeholder). Set by ReadLiveInfo; valid while its connection is.
  std::function<std::optional<std::int64_t>(std::string_view sql)> estimate_rows;
  // SQLite: the live schema (sqlite_master.sql in rowid order) the scratch database starts
  // from, and the library version (3035005 style).
  std::vector<std::string> sqlite_schema;
  int sqlite_version = 0;
};

// [lint] in strata.toml plus command-line overrides.
struct LintConfig {
  // The target database. kSqlite: statements are split and validated by SQLite itself (an
  // in-memory scratch database, lint/sqlite_scratch.h); only the rules that mean the same on
  // SQLite run, plus the SQ family (docs/lint.md, "SQLite").
  db::Dialect dialect = db::Dialect::kPostgres;
  // `[lint] dialect` in strata.toml: the production target of a project whose local URL is
  // another database (the example: SQLite for development, PostgreSQL in production). `lint`
  // without a URL for the run judges this dialect; the migrate gate judges the real target.
  bool dialect_declared = false;
  int sqlite_version = 0;  // target SQLite version, 3035005 style; 0: the live or linked one
  int pg_version = 15;     // target major version
  int pg_minor = -1;       // minor when known (live or "14.3"); -1 unknown
  std::string pg_version_source = "default";
  // Whether strata's engine applies migrate.lock_timeout / statement_timeout to every
  // statement (true when linting a strata project): those count as set.
  bool engine_lock_timeout = true;
  bool engine_statement_timeout = false;
  std::vector<std::string> grant_allow_roles;   // roles GRANT may name; empty = no check
  std::vector<std::string> protected_patterns;  // globs on [schema.]table names
  identifiers::Contracts identifiers;           // db/identifiers.toml: what the ID rules guard
  std::set<std::string> disabled;               // rule ids or names
  std::set<std::string> enabled;                // opt-in rules turned on
  std::map<std::string, Severity> severity_overrides;  // by id or name
  std::int64_t large_rows = 1'000'000;
  std::int64_t large_bytes = 1LL << 30;
  // A pending file larger than this is not analysed (SY107): analysis holds a parse tree and a
  // report per statement, about 80 times the text.
  std::int64_t max_file_bytes = 16LL << 20;
  // diesel-guard's `-- safety-assured:start` ... `-- safety-assured:end` blocks read as
  // acknowledgements of every finding inside them ([lint] safety_assured = true; off: ignored).
  bool safety_assured = false;
  std::vector<std::string> vague_names = {
      "fix", "fixes", "changes", "change", "update", "updates", "final",  "misc", "temp",
      "tmp", "wip",   "test",    "stuff",  "new",    "patch",   "hotfix", "todo"};
  std::string ledger_table = "strata_schema_history";
  bool new_means_same_file = false;   // each file as the only pending one (lint without
                                      // --url/--since; docs/lint.md "New and existing")
  bool default_transactional = true;  // files run in one transaction unless a directive says
  // The release manifest ([evidence] releases, default db/releases.toml) by migration: what a
  // release lists (a version without leading zeros, "5", or a script name) → that release.
  // `releases_file` empty: no project was read (lint of loose files), and the release gate of
  // breaking-ddl (PO106) is not checked.
  struct Release {
    std::string name;
    std::vector<std::string> surfaces;  // the surfaces it states
  };
  std::string releases_file;
  std::map<std::string, Release> releases;
  // Tables a seed package owns ([[tables]] table of db/seed/<class>/<package>/manifest.toml),
  // lower-cased name → "package `id` (class)"; DM106.
  std::map<std::string, std::string> seed_tables;
  Severity gate = Severity::kError;     // migrate refuses findings at or above this
  Severity fail_on = Severity::kError;  // `strata lint` exits non-zero at or above this
  // `strata lint --trace FILE`: observations that replace the analyzer's predictions for the
  // statements they cover (lint/trace.h).
  std::shared_ptr<const Trace> trace;
};

// Running state of the file before the current statement.
struct FileState {
  bool transactional = true;  // strata runs the file in one transaction
  bool in_txn = true;         // a transaction is open here (strata's, or BEGIN in the file)
  bool explicit_txn = false;  // a BEGIN written in the file is open
  bool lock_timeout_set = false;
  bool statement_timeout_set = false;
  int access_exclusive_at = -1;  // statement index that first took ACCESS EXCLUSIVE on an
                                 // existing table in the current transaction, or -1
  std::string access_exclusive_table;
  int heavy_after_lock = 0;  // heavy statements seen since then (LK108 reports the first)
  bool InTransaction() const { return in_txn; }
};

// What the linter knows about the migration the file belongs to.
struct MigrationInfo {
  std::string script;       // "V3__add_index.sql" (file name)
  std::string description;  // "add index"
  bool versioned = true;
  bool repeatable = false;
};

class Context {
 public:
  Context(const LintConfig& config, const analysis::FileAnalysis& file,
          const MigrationInfo& migration, const FileState& state, const LiveInfo* live,
          std::vector<Finding>* out)
      : config_(config),
        file_(file),
        migration_(migration),
        state_(state),
        live_(live),
        out_(out) {}

  const LintConfig& config() const { return config_; }
  const analysis::FileAnalysis& file() const { return file_; }
  const MigrationInfo& migration() const { return migration_; }
  const FileState& state() const { return state_; }
  const LiveInfo* live() const { return live_; }
  // The current statement (null in file rules) and the model before it.
  const analysis::StatementAnalysis* stmt() const { return stmt_; }
  const analysis::SchemaModel* model() const { return model_; }
  const analysis::Facts& facts() const { return stmt_->facts; }
  analysis::JsonRef body() const { return stmt_->node().NodeBody(); }
  std::string_view node_type() const { return stmt_->facts.node_type; }
  int pg() const { return config_.pg_version; }
  // Whether the statement's target is an existing table (not created in the pending set).
  bool TargetExists() const { return !stmt_->facts.target.empty() && !stmt_->facts.target_is_new; }
  // Live statistics of a table, or nullptr.
  const TableStats* Stats(const analysis::TableRef& t) const;

  // Reports a finding of the running rule. `location` is a parse-tree "location" (relative to
  // the statement's tree) to point the caret at; -1 points at the statement start.
  void Report(std::string message, std::string help, std::int64_t location = -1);
  // Reports at an explicit 1-based line/column (file rules).
  void ReportAt(int line, int column, std::string message, std::string help);

  // The files of the run, parsed on demand, and the position of this one among them: for a rule
  // that must know whether a later migration completes this one. nullptr when not given.
  const analysis::LaterFiles* later_files() const { return later_; }
  size_t file_index() const { return file_index_; }

  // Set by the linter.
  void SetLaterFiles(const analysis::LaterFiles* later, size_t file_index) {
    later_ = later;
    file_index_ = file_index;
  }
  void Bind(const analysis::StatementAnalysis* stmt, const analysis::SchemaModel* model) {
    stmt_ = stmt;
    model_ = model;
  }
  void SetRule(std::string_view id, std::string_view name, Severity sev) {
    rule_id_ = id;
    rule_name_ = name;
    severity_ = sev;
  }

 private:
  const LintConfig& config_;
  const analysis::FileAnalysis& file_;
  const MigrationInfo& migration_;
  const FileState& state_;
  const LiveInfo* live_;
  std::vector<Finding>* out_;
  const analysis::StatementAnalysis* stmt_ = nullptr;
  const analysis::SchemaModel* model_ = nullptr;
  const analysis::LaterFiles* later_ = nullptr;
  size_t file_index_ = 0;
  std::string_view rule_id_, rule_name_;
  Severity severity_ = Severity::kWarning;
};

// Whether a statement does real work under locks (a scan, a rewrite, DML, or another blocking
// lock on an existing table): what widens an ACCESS EXCLUSIVE window.
inline bool IsHeavy(const analysis::Facts& f) {
  if (f.kind == analysis::StatementKind::kSet || f.kind == analysis::StatementKind::kTransaction ||
      f.kind == analysis::StatementKind::kComment) {
    return false;
  }
  return f.rewrite || f.scan || f.dml || f.reads_existing ||
         (f.lock >= analysis::LockMode::kShare && !f.target_is_new && !f.target_is_index &&
          !f.target.empty());
}

using CheckFn = void (*)(Context&);

struct RuleInfo {
  std::string_view id;    // "LK101": family prefix + number, stable forever
  std::string_view name;  // kebab-case, used in config and suppressions
  Severity severity;      // default severity
  Scope scope;
  bool default_on;      // opt-in rules are off unless [lint] enable lists them
  bool size_sensitive;  // escalates to error above the large-table threshold (live)
  std::string_view summary;
  std::string_view squawk;  // squawk rule(s) it covers, "" if none
  CheckFn check;
};

}  // namespace strata::lint
