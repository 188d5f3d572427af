// Loading strata.toml into Options. Stateless; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The environment variable that sets a settings.def key: `STRATA_` + the key in upper case
// with `.` as `_` (`migrate.lock_wait` -> STRATA_MIGRATE_LOCK_WAIT; `placeholders.<name>` ->
// STRATA_PLACEHOLDERS_, the name follows).
std::string EnvName(std::string_view key);

// Overlays every settings.def key set in the environment (STRATA_<SECTION>_<KEY>, not empty)
// onto `tbl`, strata.toml as parsed: the environment wins over the file. Values are read as the
// key's type (booleans true/false/1/0/yes/no/on/off, arrays comma-separated or in TOML syntax,
// tables as TOML inline tables); a reader's later type error names the variable. `url` keeps
// its own rule (Load: STRATA_URL, then DATABASE_URL). STRATA_PLACEHOLDERS_<NAME> sets the
// placeholder `name` (lower case, or the declared one of any case, which keeps its `secret`).
// Errors: kConfig naming the variable and the type expected.
Status ApplyEnvironment(toml::table& tbl);

// strata.toml at `path` (empty: no file) with the environment applied: what every reader of a
// strata.toml section (lint, ...) reads, so that each of its settings.def keys can come from
// the environment too.
Result<toml::table> LoadProjectToml(const std::string& path);

// The keys settings.def declares directly under `section` (dotted, as the key is written:
// "" for the top level, "evidence.intent", "smoke.<name>"): the next part of each key, once, in
// the table's order ("lock_wait", "lock_timeout", ...; "evidence" for "evidence.releases" at
// the top level).
std::vector<std::string_view> SettingKeys(std::string_view section);

// kConfig "unknown key" (config::UnknownKey: file:line:col, did-you-mean, the known keys as the
// hint) for a key under `section` that settings.def does not declare. `section` is the key's
// table as settings.def spells it ("environments.<name>"); `shown` the same as the user wrote
// it ("environments.ci"), empty for `section`.
Status UnknownSetting(const std::string& path, const toml::node& node, std::string_view section,
                      std::string_view key, std::string_view shown = {});

}  // namespace strata::config
