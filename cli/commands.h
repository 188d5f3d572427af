// The CLI's verbs: each Register* adds subcommands to the CLI11 app and a runner that is called
// after parsing. Shared helpers load Options from the global flags and print results.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "cli/help.h"
#include "report/render.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::cli {

struct GlobalFlags {
  std::string url;
  std::string config;
  std::vector<std::string> locations;
  std::string lock_wait;
  std::string connect_timeout;
  bool json = false;
  bool log_json = false;
  std::string color = "auto";  // --color: auto, always, never
};

struct Registry {
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands;
};

using RegisterFn = void (*)(CLI::App&, GlobalFlags&, Registry&);

// A function that adds one top-level verb (with its subcommands, options, examples and runner)
// to the app, or adds to it (`identifiers` has two). main() calls only those of the verb argv
// invokes (cli/invoked_verb.h) and every one otherwise.
struct VerbRegistration {
  std::string_view verb;
  RegisterFn fn;
};

// Each verb file registers itself at static-initialisation time, naming its verb (and gives it
// one or two examples with Examples(cmd, {...}), cli/help.h):
//   static VerbRegistrar reg("plan", [](CLI::App& app, GlobalFlags& g, Registry& r) { ... });
// A file with several verbs has a registrar for each. main() calls them after the engine verbs.
struct VerbRegistrar {
  VerbRegistrar(std::string_view verb, RegisterFn fn) { All().push_back({verb, fn}); }
  static std::vector<VerbRegistration>& All() {
    static std::vector<VerbRegistration> all;
    return all;
  }
};

// A parent verb that several verb files add subcommands to (`identifiers check` here,
// `identifiers map` there): whichever file registers first creates it, the others find it, so
// the order of static initialisation does not matter.
inline CLI::App* VerbGroup(CLI::App& app, const std::string& name, const std::string& help) {
  for (auto* sub : app.get_subcommands({}))
    if (sub->get_name() == name) return sub;
  auto* group = app.add_subcommand(name, help);
  group->require_subcommand(1);
  return group;
}

// migrate, info, validate, repair, baseline and hash, in that order: --help lists them first.
std::vector<VerbRegistration> EngineVerbs();
// Verbs of later capabilities (lint, ...), listed after the engine's. Defined in their own
// cmd_<verb>.cc.
std::vector<VerbRegistration> ExtraVerbs();

// Loads Options from strata.toml, the environment and the flags. On error prints it (text or
// JSON) and returns nullopt with `exit_code` set.
std::optional<Options> LoadOptions(const GlobalFlags& g, int& exit_code);

// Prints `j` (JSON mode) or `text` plus the error in compiler style; returns the exit code.
int Finish(const GlobalFlags& g, const Status& status, const nlohmann::json& j,
           const std::string& text);

// Finish for a result struct with report::ToJson / report::ToText overloads: renders only the
// format that will be printed.
template <typename R>
int FinishResult(const GlobalFlags& g, const R& r) {
  return g.json ? Finish(g, r.status, report::ToJson(r), std::string())
                : Finish(g, r.status, nlohmann::json(), report::ToText(r));
}

// Whether to colour what goes to `fd`: --color always/never, else (auto) when `fd` is a
// terminal and NO_COLOR is unset or empty (https://no-color.org).
bool UseColor(const GlobalFlags& g, int fd);

// An event sink for progress: a human line per migration on a TTY, JSON lines with --log-json.
EventSink ProgressSink(const GlobalFlags& g);

}  // namespace strata::cli
