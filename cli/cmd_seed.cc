// strata seed plan|apply|status|diff: flags → SeedRequest, call src/seed, render.
#include "cli/commands.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "seed/render.h"
#include "seed/seed.h"

namespace strata::cli {
namespace {

struct SeedFlags {
  bool restore = false;
  std::string env;
  std::vector<std::string> packages;
  std::vector<std::string> classes;
};

void AddFlags(CLI::App* sub, SeedFlags& f) {
  sub->add_option("--env", f.env,
                  "target environment (local, ci, dev, staging, production or one declared in "
                  "strata.toml); env STRATA_ENV");
  sub->add_option("--package", f.packages, "only these package ids (repeatable)")->delimiter(',');
  sub->add_option("--class", f.classes, "only these classes: reference, catalog, policy, test-only")
      ->delimiter(',');
}

int Run(const GlobalFlags& g, const SeedFlags& f,
        seed::SeedResult (*cmd)(const Options&, const seed::SeedRequest&)) {
  int code = 0;
  auto opts = LoadOptions(g, code);
  if (!opts) return code;
  seed::SeedRequest req;
  req.env = f.env;
  if (req.env.empty()) {
    if (const char* e = std::getenv("STRATA_ENV"); e && *e) req.env = e;
  }
  req.packages = f.packages;
  req.classes = f.classes;
  req.restore = f.restore;
  req.sink = ProgressSink(g);
  auto r = cmd(*opts, req);
  return Finish(g, r.status, seed::ToJson(r), seed::ToText(r));
}

void Register(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* seed = app.add_subcommand(
      "seed", "seed data packages (reference, catalog, policy, test-only) per environment");
  seed->require_subcommand(1);
  Examples(seed, {{"strata seed plan --env staging", "the row diff each package would apply"},
                  {"strata seed apply --env staging", "apply it, one transaction per package"}});
  struct Verb {
    const char* name;
    const char* help;
    seed::SeedResult (*cmd)(const Options&, const seed::SeedRequest&);
  };
  static const Verb verbs[] = {
      {"plan", "show the exact row diff per package (insert/update/deprecate/delete/unchanged)",
       seed::SeedPlanCmd},
      {"apply", "apply packages by stable key, one transaction per package, recorded in the ledger",
       seed::SeedApplyCmd},
      {"status", "one line per package: never applied, up to date, changed, drifted",
       seed::SeedStatusCmd},
      {"diff", "rows where the database and the packages differ (exit 3 when any)",
       seed::SeedDiffCmd},
  };
  for (const auto& v : verbs) {
    auto* sub = seed->add_subcommand(v.name, v.help);
    auto flags = std::make_shared<SeedFlags>();
    AddFlags(sub, *flags);
    if (std::string_view(v.name) == "apply") {
      sub->add_flag("--restore", flags->restore,
                    "also put back rows edited in the database after their package was applied "
                    "(recorded in the ledger and the run record)");
    }
    auto cmd = v.cmd;
    reg.commands.emplace_back(sub, [&g, flags, cmd] { return Run(g, *flags, cmd); });
  }
}

const VerbRegistrar kRegistrar("seed", Register);

}  // namespace
}  // namespace strata::cli
