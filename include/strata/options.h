// Options: everything a strata command needs to know about the project, resolved from
// strata.toml, the environment (STRATA_URL, DATABASE_URL) and command-line flags, in that
// order of increasing precedence. A plain value type; copy freely.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata {

struct PlaceholderValue {
  std::string value;
  bool secret = false;  // never printed, logged or stored
  // `env = "VAR"` with VAR unset: no value. Only running SQL that uses the placeholder needs
  // one, so loading succeeds and expanding it for execution is the error (kPlaceholder).
  std::string unset_env;
};
using PlaceholderMap = std::map<std::string, PlaceholderValue, std::less<>>;

struct Options {
  std::string config_path;             // the strata.toml that was read, empty if none
  std::string project_dir;             // directory that relative paths are resolved against
  std::string url;                     // raw URL (may hold a password): never print, use RedactUrl
  std::vector<std::string> locations;  // migration directories
  std::vector<std::string> ignore_patterns;  // glob patterns of files to ignore in locations
  std::string ledger_table = "strata_schema_history";
  std::string ledger_schema;                    // empty: the connection's default schema
  std::chrono::milliseconds lock_wait{60'000};  // wait for another runner's lock
  // How long opening a PostgreSQL database retries while the server refuses or resets the
  // connection or is starting up (never on an authentication failure); 0: one attempt.
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds lock_timeout{5'000};  // per-statement lock_timeout (PostgreSQL)
  int lock_retries = 5;                           // attempts after a lock timeout
  std::optional<std::chrono::milliseconds> statement_timeout;
  bool out_of_order = false;  // allow pending migrations older than the latest applied
  bool require_sum = true;    // strata.sum must exist and match
  bool lint_gate = true;      // run the analyzer before applying (when available)
  bool stat_cache = true;     // migrate: unchanged files (by stat) are not re-read
  std::vector<std::string> validate_ignore;  // states validate accepts: "pending", "future"
  // [schema]: the schema file `strata schema dump` writes after every migrate and `drift`
  // compares with (absolute; empty = none), and glob patterns of objects drift ignores.
  std::string schema_file;
  std::vector<std::string> schema_ignore;
  PlaceholderMap placeholders;
  std::string config_checksum;  // SHA-256 of strata.toml as read
};

}  // namespace strata
