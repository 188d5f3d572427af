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

// Parses strata.toml text (for tests). `path` names the file in errors; `dir` is the
// directory relative paths resolve against.
Result<Options> Parse(std::string_view text, const std::string& path, const std::string& dir);

}  // namespace strata::config
