// strata — the command line. Wires CLI11 flags to Options and requests, calls the library,
// renders the result (text or --json) and maps the ErrorCode to the exit code. No domain logic.
#include "strata/version.h"

#include "base/redact.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "config/config.h"
#include "report/render.h"

#include <CLI/CLI.hpp>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
  // Two malloc arenas: migrate's two sides (the database on the main thread, the files on a
  // second) each allocate thousands of times at once, and with one shared arena they queued on
  // its lock: ~240 context switches and +4 ms in a 1,000-file SQLite no-op (14.4 -> 10.6 ms).
  // Not more: each further arena grows by an mprotect per 128 KB and faults its pages anew.
  mallopt(M_ARENA_MAX, 2);
  using namespace strata;
  CLI::App app{"strata — carries a database change through its whole life", "strata"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  cli::GlobalFlags g;
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

  cli::Registry reg;
  cli::RegisterEngineCommands(app, g, reg);
  cli::RegisterExtraCommands(app, g, reg);
  for (auto fn : cli::VerbRegistrar::All()) fn(app, g, reg);
  cli::RegisterHelpCommands(app, g, reg);
  cli::InstallHelp(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    Status usage = cli::DiagnoseUsage(app, argc, argv, e.what());
    bool json = false;
    for (int i = 1; i < argc; ++i) json |= std::string_view(argv[i]) == "--json";
    if (json) {
      std::cout << report::Dump(report::Envelope(nlohmann::json::object(), usage)) << "\n";
    } else {
      std::cerr << report::ErrorText(usage);
    }
    return ExitCodeFor(ErrorCode::kUsage);
  }
  for (auto& [sub, run] : reg.commands) {
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
