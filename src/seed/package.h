// Seed data packages (docs/formats/seed-manifest.md): a directory db/seed/<class>/<name>/ with
// manifest.toml and one CSV file per target table. This file parses and validates packages
// without a database: manifest keys, identifiers, classes, effective dating, deprecation marks
// and the package checksum. Value types; the functions are stateless and thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "seed/csv.h"

namespace strata::seed {

// Seed classes (seed 001 §9). Their names are stored in the ledger: never rename.
enum class SeedClass { kReference, kCatalog, kPolicy, kTestOnly };
std::string_view ClassName(SeedClass c);  // "reference", "catalog", "policy", "test-only"
std::optional<SeedClass> ParseClass(std::string_view s);
// Reference, catalog and policy rows carry meaning: changing or deleting one needs a mark.
inline bool MeaningProtected(SeedClass c) { return c != SeedClass::kTestOnly; }

enum class SeedMode { kInsertOnly, kUpsert, kSync };
std::string_view ModeName(SeedMode m);  // "insert-only", "upsert", "sync"

struct TableSpec {
  std::string name;                    // target table
  std::string data_file;               // CSV path relative to the package directory
  std::vector<std::string> key;        // stable key columns (effective-dated: code + version)
  std::string active_column;           // deprecation flag column; empty: rows cannot be deprecated
  std::string superseded_by_column;    // optional: receives the superseding code
  std::string effective_from_column;   // catalog/policy: required
  std::string effective_to_column;     // optional; may only go from NULL to a value
  std::vector<std::string> used_by;    // "table.column" that reference key[0]
  std::vector<std::string> deprecate;  // key texts to deprecate
  std::map<std::string, std::string> supersede;  // old key text → new key text
  std::vector<std::string> reactivate;           // deprecated keys that may be active again
  CsvTable data;
  int manifest_line = 0;

  // "A|B" for a composite key; the value itself for one column.
  std::string KeyText(const CsvRow& row) const;
  // Columns whose value is the row's meaning (everything but key, flags and effective_to).
  bool IsMeaningColumn(std::string_view column) const;
};

struct Package {
  std::string id;  // `package` in the manifest, unique across db/seed
  SeedClass cls = SeedClass::kReference;
  SeedMode mode = SeedMode::kUpsert;
  std::string owner;
  std::string description;
  std::string effective_from;  // package validity (ISO-8601); required for catalog/policy
  std::string effective_to;
  std::string min_schema_version;  // compatibility: lowest applied migration version
  std::string approved_by;
  std::string approved_at;
  std::string dir;            // directory the files are read from
  std::string rel_dir;        // relative to the project, e.g. db/seed/reference/quote-reason-codes
  std::string manifest_path;  // rel_dir/manifest.toml, as shown in messages
  std::string checksum;       // SHA-256 over manifest and data files (see the format doc)
  std::vector<TableSpec> tables;

  bool approved() const { return !approved_by.empty() && !approved_at.empty(); }
};

// Project-level seed settings: `[seed]` in strata.toml.
struct SeedSettings {
  std::string location = "db/seed";  // relative to the project directory
  std::string corrections = "db/corrections";
};

// Reads `[seed]` from options.config_path (defaults when there is no file or no section).
// Errors (kConfig) name the file, line and key.
Result<SeedSettings> LoadSettings(const Options& options);

// Parses one package directory. `rel_dir` is shown in messages. Errors (kConfig) name the
// manifest or CSV file with line and column, and the next step.
Result<Package> LoadPackage(const std::string& dir, const std::string& rel_dir);

// Discovers every package under <project>/<settings.location>/<class>/<name>/manifest.toml,
// ordered by class (reference, catalog, policy, test-only) then id. An unknown class folder,
// a class mismatch between folder and manifest, or a duplicate id is an error.
Result<std::vector<Package>> DiscoverPackages(const Options& options, const SeedSettings& s);

}  // namespace strata::seed
