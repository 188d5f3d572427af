// strata wait [--timeout 30s]: exits 0 once the database accepts connections and answers a
// query; exit 6 (connection) after the timeout. For containers and CI before `strata migrate`.
#include "base/duration.h"
#include "cli/commands.h"

#include <fmt/format.h>

#include <memory>

namespace strata::cli {
namespace {

static VerbRegistrar reg("wait", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* cmd = app.add_subcommand(
      "wait",
      "wait until the database accepts connections and answers a query (exit 6 on timeout)");
  auto timeout = std::make_shared<std::string>("30s");
  cmd->add_option("--timeout", *timeout, "how long to keep trying, e.g. 30s (default), 2m");
  Examples(cmd, {{"strata wait --timeout 60s && strata migrate",
                  "in a container entrypoint: migrate once the database is up"},
                 {"strata --json wait", "ready, attempts and the time waited, as JSON"}});
  r.commands.emplace_back(cmd, [&g, timeout] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    WaitRequest req;
    auto d = base::ParseDuration(*timeout);
    if (!d) {
      Status bad(ErrorCode::kUsage, fmt::format("--timeout: {}", d.error().message()));
      return Finish(g, bad, {{"ok", false}, {"error", report::StatusJson(bad)}}, "");
    }
    req.timeout = *d;
    return FinishResult(g, Wait(*opts, req));
  });
});

}  // namespace
}  // namespace strata::cli
