// The schema verbs: `strata schema dump` (the live schema as a deterministic, reviewable file),
// `strata drift` (the live schema against what its history says it should be) and
// `strata test` (the history applied to a throwaway database). docs/schema.md.
#pragma once

#include "strata/options.h"
#include "strata/status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace strata {

// --- schema dump
struct SchemaDumpRequest {
  std::string out;  // write the dump here (atomically); empty: the result carries it (stdout)
};
struct SchemaDumpResult {
  Status status;
  std::string target;                 // redacted URL
  std::string dialect;                // postgres, sqlite
  std::string out;                    // the file written, if any
  std::string text;                   // the dump itself
  std::string sha256;                 // of `text`
  std::map<std::string, int> counts;  // objects per kind
  std::int64_t elapsed_ms = 0;
};
SchemaDumpResult SchemaDump(const Options& options, const SchemaDumpRequest& request);

// --- drift
struct DriftItem {
  std::string kind;    // table, column, constraint, index, view, matview, function, trigger, ...
  std::string object;  // its qualified name, as in the schema file
  std::string change;  // extra (live only), missing (expected only), changed
  std::string field;   // changed: type, default, nullability, collation, identity, definition
  std::string expected;
  std::string actual;
};
struct DriftRequest {
  // What the history says: a schema file (default: [schema] file), or "" with `scratch` set:
  // the applied migrations replayed on a scratch database (`local`, or a server URL).
  std::string against;
  std::string scratch;
};
struct DriftResult {
  Status status;  // kDrift when any difference was found
  std::string target;
  std::string against;  // the file, or "scratch <what>"
  int compared = 0;     // objects compared (live side)
  std::vector<DriftItem> items;
  std::int64_t elapsed_ms = 0;
};
DriftResult Drift(const Options& options, const DriftRequest& request);
// Drift against the applied migrations replayed on a scratch database (request.scratch).
DriftResult DriftScratch(const Options& options, const DriftRequest& request);

// --- test
struct TestRequest {
  std::string scratch = "auto";  // auto, local, a PostgreSQL server URL, sqlite
  // PostgreSQL: keep the scratch server warm and the result as the template of the next run,
  // which then applies only what changed (docs/schema.md "Warm runs"); SQLite: leave the file.
  bool keep = false;
  // Build the scratch database as of this version, release (db/releases.toml) or git tag (the
  // migration files as they were at the tag) first, then load the fixtures of what is pending
  // and apply it: the upgrade path. "" : the last git tag when the project is in a git work tree
  // with tags, else from empty; "empty": from an empty database.
  std::string from;
  bool compare_schema = true;  // compare with [schema] file when one exists
  // Write the observed-lock trace (docs/trace.md) here; "" keeps it in the result only.
  std::string trace_file;
};

// --- observed locks (`strata test` on PostgreSQL; the trace format is docs/trace.md)
struct ObservedLock {
  std::string relation;   // "schema.name" (tables, partitioned tables, materialized views)
  std::string mode;       // "ACCESS EXCLUSIVE", as lint names modes
  bool acquired = false;  // taken by this statement (else held since an earlier one)
};
struct ObservedStatement {
  int index = 0;  // 0-based in the file
  int line = 0;   // 1-based, where the statement starts (0 when unknown)
  double elapsed_ms = 0;
  std::vector<ObservedLock> locks;    // every table lock held right after the statement
  std::vector<std::string> rewrites;  // tables with a new relfilenode (rewritten, truncated)
};
struct ObservedMigration {
  std::string script;
  std::string sha256;  // of the file's normalised text: lint --trace uses a trace only for it
  std::vector<ObservedStatement> statements;
};
// Where the observation disagrees with the analyzer's prediction (strata lint).
struct LockFinding {
  std::string file;  // the migration's path
  int line = 0;
  int statement = 0;  // 1-based
  std::string relation;
  std::string what;  // "lock" or "rewrite"
  std::string predicted;
  std::string observed;
};
struct TestStep {
  std::string name;    // "migrate", "verify", "schema", or a migration script
  std::string status;  // passed, failed, skipped
  std::string message;
  std::int64_t elapsed_ms = 0;
};
struct TestResult {
  Status status;
  std::string scratch;  // which throwaway database was used (redacted)
  int migrations = 0;
  int checks = 0;
  std::vector<TestStep> steps;
  std::vector<DriftItem> schema_diff;  // scratch result vs the committed schema file
  std::string server;                  // "PostgreSQL 15.18" when locks were observed
  std::vector<ObservedMigration> trace;
  std::vector<LockFinding> lock_findings;
  int observed_statements = 0;
  std::int64_t elapsed_ms = 0;
};
TestResult Test(const Options& options, const TestRequest& request);

}  // namespace strata
