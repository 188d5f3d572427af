// Discovery: finds migration files in locations, validates their names and encoding, and
// produces the ordered MigrationSet. Reading the disk is separated from resolving names so
// tests can feed files from memory. Stateless; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include "migrate/stat_cache.h"
#include "migrate/version.h"

#include <string>
#include <vector>

namespace strata::migrate {

enum class Kind { kVersioned, kRepeatable };

// A file as read from a location.
struct SourceFile {
  std::string location;  // the location directory as configured
  std::string script;    // path relative to the location, '/'-separated ("V1__init.sql")
  std::string path;      // full path for messages
  std::string bytes;     // raw content
};

struct Migration {
  Kind kind = Kind::kVersioned;
  Version version;          // empty for repeatable migrations
  std::string description;  // "create quote core tables"
  std::string script;       // relative name as stored in the ledger
  std::string path;         // full path for messages
  std::string location;
  std::string text;       // normalised content (BOM removed, LF line endings)
  std::string checksum;   // SHA-256 hex of `text`
  bool text_read = true;  // false: the checksum came from the stat cache, `text` is empty
};

// A Flyway-style callback in a location: `<event>.sql` or `<event>__<description>.sql`, SQL
// that `migrate` runs at that point of a run that applies something (engine/callbacks.h). Not a
// migration: no version, no ledger row, not in strata.sum; each run records the callbacks it
// ran with their checksums in its run record.
struct Callback {
  std::string event;        // beforeMigrate, beforeEachMigrate, afterEachMigrate,
                            // afterMigrate or afterMigrateError
  std::string description;  // of `<event>__<description>.sql`; empty for `<event>.sql`
  std::string script;       // relative name, as Migration::script
  std::string path;
  std::string location;
  std::string text;      // normalised content
  std::string checksum;  // SHA-256 hex of `text`
};

// The callback events `migrate` runs, in the order of a run.
inline constexpr std::string_view kCallbackEvents[] = {
    "beforeMigrate", "beforeEachMigrate", "afterEachMigrate", "afterMigrate", "afterMigrateError"};

// Moves the callback files out of `files` into `out` (by event, then name), reading them from
// disk when `read` (else their bytes are given). A Flyway callback event strata does not run
// (beforeValidate, afterClean, ...) is kBadMigrationName naming the events it does run; content
// errors as for migrations (kIo, kEncoding).
Status TakeCallbacks(std::vector<SourceFile>& files, bool read, std::vector<Callback>& out);

// Versioned migrations in version order, then repeatable ones in description order.
struct MigrationSet {
  std::vector<Migration> migrations;
  std::vector<Callback> callbacks;   // Flyway-style callbacks, by event then name
  std::vector<std::string> ignored;  // files skipped by an ignore pattern
};

// Reads every regular file under each location (recursively). Errors: kIo naming the file
// or directory that cannot be read.
Result<std::vector<SourceFile>> ReadLocations(const std::vector<std::string>& locations,
                                              const std::vector<std::string>& ignore_patterns,
                                              std::vector<std::string>* ignored);

// Turns files into an ordered set. Errors name the file and the expected form:
// kBadMigrationName, kDuplicateVersion (both files), kEncoding (line of the bad byte).
Result<MigrationSet> Resolve(std::vector<SourceFile> files);

// ReadLocations + Resolve with the options' locations and ignore patterns. With an enabled
// `cache`, files whose stamp is unchanged are not read (text_read false; LoadText reads them).
// What the run saw goes into `seen` for the caller to Commit (after CheckSums, which adds the
// sum files); without `seen` the cache is rewritten here when this run read files it can record.
Result<MigrationSet> Discover(const Options& options, const StatCache* cache = nullptr,
                              StatCache::Seen* seen = nullptr);

// Reads the text of a migration whose checksum came from the stat cache. Errors: kIo when the
// file can no longer be read or no longer has that checksum (it changed during the run).
Status LoadText(Migration& m);

// Whether `name` matches the glob `pattern` (*, ?, no path separators special-cased), byte for
// byte or, with `ignore_case`, ASCII letters case-insensitively.
bool GlobMatch(std::string_view pattern, std::string_view name, bool ignore_case = false);

}  // namespace strata::migrate
