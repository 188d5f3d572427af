// strata — the command line. Wires CLI11 flags to Options and requests, calls the library,
// renders the result (text or --json) and maps the ErrorCode to the exit code. No domain logic.
#include "strata/version.h"

#include "base/redact.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/invoked_verb.h"
#include "config/config.h"
#include "report/render.h"

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace {

using namespace strata;

// The CLI11 tree, the global flags it fills and the runners of its verbs. Runners hold
// references to `g` (and help's to `app`), so a Program does not move.
struct Program {
  CLI::App app{"strata — carries a database change through its whole life", "strata"};
  cli::GlobalFlags g;
  cli::Registry reg;

  // The root and its global options: enough to tell which verb argv invokes (InvokedVerb).
  Program() {
    app.require_subcommand(1);
    app.set_version_flag("--version", kVersion);
    app.add_option("--url", g.url,
                   "database URL: sqlite:<path>, sqlite::memory:, postgres://... (env STRATA_URL, "
                   "DATABASE_URL)");
    app.add_option("--config", g.config, "path of strata.toml (default ./strata.toml)");
    app.add_option("--locations", g.locations, "migration directories (overrides strata.toml)")
        ->delimiter(',');
    app.add_flag("--json", g.json, "print the result as JSON");
    app.add_option("--lock-wait", g.lock_wait, "how long to wait for another runner, e.g. 60s");
    app.add_option("--connect-timeout", g.connect_timeout,
                   "how long to keep trying while the server refuses connections or is starting "
                   "up, e.g. 5s (default), 0s: one attempt");
    app.add_flag("--log-json", g.log_json, "write progress events as JSON lines to stderr");
    app.add_option("--color,--colour", g.color,
                   "colour severities and states: auto (default: on a terminal, unless NO_COLOR "
                   "is set), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    app.fallthrough();
    cli::Examples(&app, {{"strata --url postgres://app@db/app migrate", "apply pending migrations"},
                         {"strata help migrate", "the options and examples of one verb"}});
  }

  // Adds the verbs of `registrations` named `only`, or all of them when `only` is empty.
  void AddVerbs(const std::vector<cli::VerbRegistration>& registrations, std::string_view only) {
    for (const auto& r : registrations) {
      if (only.empty() || r.verb == only) r.fn(app, g, reg);
    }
    cli::InstallHelp(app);
  }
};

// Every verb, in the order `strata --help` lists them: the engine's, the later capabilities',
// those that register themselves (VerbRegistrar), then help, completion and man.
std::vector<cli::VerbRegistration> AllVerbs() {
  std::vector<cli::VerbRegistration> all = cli::EngineVerbs();
  for (const auto& more : {cli::ExtraVerbs(), cli::VerbRegistrar::All(), cli::HelpVerbs()}) {
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

// The verb to build alone for this argv (InvokedVerb), or empty for the whole tree: always for
// help, completion and man, which describe every verb.
std::string_view VerbToBuild(const Program& p, int argc, char** argv,
                             const std::vector<cli::VerbRegistration>& all) {
  std::vector<std::string_view> names;
  for (const auto& r : all) names.push_back(r.verb);
  std::string_view verb = cli::InvokedVerb(p.app, argc, argv, names);
  for (const auto& h : cli::HelpVerbs()) {
    if (h.verb == verb) return {};
  }
  return verb;
}

}  // namespace

int main(int argc, char** argv) {
  // Two malloc arenas: migrate's two sides (the database on the main thread, the files on a
  // second) each allocate thousands of times at once, and with one shared arena they queued on
  // its lock: ~240 context switches and +4 ms in a 1,000-file SQLite no-op (14.4 -> 10.6 ms).
  // Not more: each further arena grows by an mprotect per 128 KB and faults its pages anew.
  mallopt(M_ARENA_MAX, 2);

  // Only the invoked verb's part of the tree: building every verb's subcommands, options, help
  // and examples made main() run 2.77 M instructions before `migrate` started (0.27 M now, a
  // 1,000-file PostgreSQL no-op under callgrind).
  const auto all = AllVerbs();
  auto p = std::make_unique<Program>();
  std::string_view only = VerbToBuild(*p, argc, argv, all);
  p->AddVerbs(all, only);
  // Kept alive after a fallback: the examples table (cli/help.h) is keyed by CLI::App address,
  // and a freed command's address reused by the whole tree would show its examples.
  std::unique_ptr<Program> narrowed;

  for (;;) {
    try {
      p->app.parse(argc, argv);
      break;
    } catch (const CLI::CallForHelp& e) {
      return p->app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return p->app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return p->app.exit(e);
    } catch (const CLI::ParseError& e) {
      if (!only.empty()) {
        // Diagnosed with the whole tree, so the message is the same as without the narrowing
        // (e.g. a flag of another verb).
        narrowed = std::move(p);
        only = {};
        p = std::make_unique<Program>();
        p->AddVerbs(all, only);
        continue;
      }
      Status usage = cli::DiagnoseUsage(p->app, argc, argv, e.what());
      bool json = false;
      for (int i = 1; i < argc; ++i) json |= std::string_view(argv[i]) == "--json";
      if (json) {
        std::cout << report::Dump(report::Envelope(nlohmann::json::object(), usage)) << "\n";
      } else {
        std::cerr << report::ErrorText(usage);
      }
      return ExitCodeFor(ErrorCode::kUsage);
    }
  }
  for (auto& [sub, run] : p->reg.commands) {
    if (!sub->parsed()) continue;
    int rc = run();
    // The command has finished and closed its connections and files; what is left is freeing
    // memory the process is about to lose (CLI11's tree, OpenSSL's tables): ~1.5 ms of a 20 ms
    // no-op run. Flush the output and leave.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    _exit(rc);
  }
  return ExitCodeFor(ErrorCode::kUsage);
}
