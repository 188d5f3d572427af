// Starting a project and authoring its next migration: `strata init` and `strata new`. Neither
// touches a database. Both check everything before writing anything, and never overwrite a
// file (new files are created exclusively). Stateless; thread-safe except for the files they
// write.
#pragma once

#include "strata/options.h"
#include "strata/status.h"

#include <string>
#include <vector>

namespace strata {

// Another migration tool found in a directory, and the command that brings its history along.
struct DetectedTool {
  std::string tool;      // "flyway", "golang-migrate", "dbmate", "diesel", "liquibase", "sqitch"
  std::string evidence;  // what gave it away, e.g. "flyway.conf" or "db/migrations (12 files)"
  std::string location;  // its migrations directory (or file), relative to the project
  std::string import_command;  // "strata import --from flyway"
};

struct InitRequest {
  std::string dir = ".";  // the project directory (created when missing)
  std::string dialect;    // "sqlite", "postgres" or "" (from the url; else sqlite)
  std::string url;        // written to strata.toml without its password
};

struct InitResult {
  Status status;
  std::string dir;
  std::string dialect;
  std::string url;                     // as written (redacted)
  bool password_dropped = false;       // the given url held a password; it was not written
  std::vector<std::string> created;    // paths, relative to the current directory
  std::vector<std::string> existing;   // kept as they were (db/migration, ...)
  std::vector<DetectedTool> detected;  // other tools' histories found here
  std::vector<std::string> warnings;
  std::vector<std::string> next_steps;  // commands to run next, in order
};
InitResult Init(const InitRequest& request);

struct NewRequest {
  std::string description;
  bool no_transaction = false;  // `-- strata:transaction off`
  bool repeatable = false;      // R__<description>.sql
};

struct NewResult {
  Status status;
  std::string path;      // the file created
  std::string script;    // its name in the location ("V0008__add_email.sql")
  std::string version;   // empty for a repeatable migration
  std::string scheme;    // "sequence", "zero-padded sequence", "timestamp", "dotted", "first"
  std::string sum_path;  // the strata.sum updated
  std::vector<std::string> warnings;
  std::vector<std::string> next_steps;
};
// The longest description `strata new` takes, in characters: it becomes the file name.
inline constexpr size_t kMaxDescriptionChars = 100;
NewResult New(const Options& options, const NewRequest& request);

}  // namespace strata
