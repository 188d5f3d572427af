// Plumbing shared by the backfill verbs: resolving a job name to its file, the [backfill]
// section of strata.toml, the per-job lock name, key (de)serialisation and the
// classification of errors as transient. Internal to src/backfill; not thread-safe.
#pragma once

#include "strata/options.h"

#include "db/connection.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backfill/job.h"

namespace strata::backfill {

// The [backfill] section of strata.toml.
struct Settings {
  std::string directory = "db/backfill";  // resolved against the project directory
  std::string replica_url;                // default replica for lag measurement
};
// Reads [backfill] from options.config_path (defaults when absent). kConfig names the key.
Result<Settings> LoadSettings(const Options& options);

// `job` is a name ("contract_term") looked up as <directory>/<name>.toml, or a path to a .toml
// file. Returns the file path; kIo names both places it looked.
Result<std::string> ResolveJobPath(const Options& options, const Settings& settings,
                                   const std::string& job);

// The lock that makes a job run at most once at a time (advisory lock / lock file).
std::string JobLockName(const std::string& job_key);

// Keys travel as JSON arrays of text values (null for NULL): ["42"], ["t1","7"].
std::string KeyToJson(const std::vector<db::Value>& key);
std::vector<db::Value> KeyFromJson(const std::string& json);

// Errors worth retrying the same chunk for: serialization failure, deadlock, lock timeout,
// statement timeout, SQLite busy/locked.
bool IsTransient(const Status& s);
bool IsConnectionLost(const Status& s);

std::int64_t ToInt(const db::Value& v, std::int64_t fallback = 0);
std::string Text(const db::Value& v);

// A random UUID (version 4) as text.
std::string NewUuid();

}  // namespace strata::backfill
