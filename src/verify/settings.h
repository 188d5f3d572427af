// The strata.toml sections this capability owns: [evidence] (intent policy, stop criteria, the
// release manifest's path) and [smoke] (post-deploy smoke queries for `strata verify --smoke`).
// config/ leaves these sections to us; we read them from Options::config_path with toml++.
// Pure; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include "base/duration.h"
#include "db/connection.h"
#include "verify/checks.h"
#include "verify/intent.h"

#include <optional>
#include <string>
#include <vector>

namespace strata::verify {

// One [smoke.<name>] table: a query (optionally one per dialect) and its expectation.
struct SmokeCheck {
  std::string name;
  std::string description;
  std::string query;           // both dialects unless overridden
  std::string query_sqlite;    // optional override
  std::string query_postgres;  // optional override
  Check check;                 // phase post, expectation parsed, file/line = strata.toml
  // The query for `dialect`.
  const std::string& QueryFor(db::Dialect dialect) const;
};

// Stop criteria a runbook states (seed 003 §15); defaults as in the seed.
struct StopCriteria {
  base::Millis lock_wait{60'000};  // stop if a lock is waited for longer than this
  double duration_factor = 5.0;    // stop if the duration exceeds the rehearsal by this factor
  std::optional<base::Millis> max_duration;  // absolute cap, when set
};

struct Settings {
  IntentPolicy intent = IntentPolicy::Defaults();
  StopCriteria stop;
  std::string releases_file;  // absolute or project-relative; default db/releases.toml
  std::vector<SmokeCheck> smoke;
};

// Reads [evidence] and [smoke] from options.config_path (defaults when there is none).
// Errors (kConfig) name strata.toml, the line and the key, with the known keys.
Result<Settings> LoadSettings(const Options& options);
// Same over TOML text (tests). `dir` resolves relative paths.
Result<Settings> ParseSettings(std::string_view toml_text, const std::string& path,
                               const std::string& dir);

}  // namespace strata::verify
