// Loading strata.toml into Options. Stateless; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <optional>
#include <string>

namespace strata::config {

// Command-line overrides; an empty field means "not given".
struct Overrides {
  std::string config_path;             // --config
  std::string url;                     // --url
  std::vector<std::string> locations;  // --locations
};

// Resolves Options. Without --config, reads ./strata.toml when present. Errors (kConfig) name
// the file, the line and the key: unknown keys, wrong types, bad durations.
Result<Options> Load(const Overrides& overrides);

// The database URL an engine verb (migrate, info, validate, repair, baseline) will use, found
// before the command line is parsed, with Load's precedence: --url, STRATA_URL, DATABASE_URL,
// then a top-level `url = "..."` line of the config file (--config or ./strata.toml). "" for
// other verbs or when there is none. It only decides whether to start loading the PostgreSQL
// driver early (db::Preload); Load decides everything.
std::string EarlyUrl(int argc, const char* const* argv);

// Parses strata.toml text (for tests). `path` names the file in errors; `dir` is the
// directory relative paths resolve against.
Result<Options> Parse(std::string_view text, const std::string& path, const std::string& dir);

}  // namespace strata::config
