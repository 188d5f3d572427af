// The fleet file (docs/formats/fleet.md): which targets a fleet command runs on and how. Parsed
// with the typed TOML readers (errors at file:line:col, unknown keys with a suggestion).
// `${NAME}` in a URL is replaced by the environment variable NAME when the file is read; the
// text as written is kept for display, so an expanded value (a password, a host) is never
// printed, and every expanded value is registered as a secret. Stateless; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::fleet {

// One target as the fleet will run it.
struct Target {
  std::string name;
  std::string url;      // expanded: holds secrets, never print
  std::string display;  // redacted, environment references unexpanded
  std::string schema;   // schema-per-tenant: ledger and search_path
  std::vector<std::string> labels;
  std::string origin;  // "db/fleet.toml:12:1" where it was declared (or discovered from)
};

// A discovery query: run on `url` (a control database), it returns one row per target, with
// columns `name` and `url`, and optionally `labels` (comma-separated) and `schema`.
struct Discovery {
  std::string url, display, query, origin;
  std::vector<std::string> labels;
};

// Schema per tenant: the tenants are schemas of the database at `url`, a list or the rows of
// `query` (one column: the schema name). Target names are `<name>.<schema>`, or the schema name
// alone when the group has no name.
struct SchemaGroup {
  std::string name, url, display, query, origin;
  std::vector<std::string> list;
  std::vector<std::string> labels;
};

struct FleetSpec {
  std::string path;
  int parallel = 4;
  int wave_size = 0;  // 0: one wave
  int max_failures = 1;
  bool keep_going = false;
  std::vector<std::string> canary;
  std::chrono::milliseconds target_timeout{0};  // 0: none
  std::string state_file;                       // absolute or relative to the fleet file
  std::vector<Target> targets;                  // explicit ones
  std::vector<Discovery> discover;
  std::vector<SchemaGroup> schemas;
};

using EnvFn = std::function<std::optional<std::string>(const std::string&)>;

// Parses fleet file text. `env` looks up environment variables (tests pass their own).
Result<FleetSpec> ParseFleet(std::string_view text, const std::string& path, const EnvFn& env);
// Reads and parses the file with the process environment.
Result<FleetSpec> LoadFleet(const std::string& path);

// Replaces each ${NAME} in `text`; an unset NAME is an error naming it. `$$` is a literal `$`.
Result<std::string> ExpandEnv(std::string_view text, const EnvFn& env);

// Adds libpq parameters to a postgres:// URL: `options=-c search_path=<schema>` (merged into an
// options parameter already present) and `application_name`, both percent-encoded.
std::string WithParams(const std::string& url, const std::string& schema,
                       const std::string& application_name);

// Every target: the explicit ones, then each discovery's and each schema group's, in file
// order. Queries run now, on their databases. Names must be unique (kConfig naming both).
// A relative sqlite: path is resolved against `project_dir`.
Result<std::vector<Target>> ResolveTargets(const FleetSpec& spec, const std::string& project_dir);

// Whether `t` is selected by `sel`: its name, or one of its labels (or "label:x").
bool Matches(const Target& t, const std::vector<std::string>& sel);

}  // namespace strata::fleet
