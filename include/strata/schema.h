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
  bool keep = false;             // leave the scratch database (and cluster) in place
  bool compare_schema = true;    // compare with [schema] file when one exists
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
  std::int64_t elapsed_ms = 0;
};
TestResult Test(const Options& options, const TestRequest& request);

}  // namespace strata
