// strata verify [--smoke | --smoke-only]: post-checks of applied migrations again, and the
// [smoke.*] queries of strata.toml. Exit 8 (check-failed) on any failure.
#include "cli/commands.h"

#include <iostream>

#include "evidence/render.h"

namespace strata::cli {
namespace {

static VerbRegistrar reg("verify", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* cmd = app.add_subcommand(
      "verify", "run the post-checks of applied migrations again (and --smoke queries)");
  Examples(cmd, {{"strata verify", "run the post-checks of applied migrations again"},
                 {"strata verify --smoke", "and the smoke queries of strata.toml"}});
  auto req = std::make_shared<VerifyRequest>();
  cmd->add_flag("--smoke", req->smoke, "also run the [smoke.<name>] queries of strata.toml");
  cmd->add_flag("--smoke-only", req->smoke_only, "run only the smoke queries");
  r.commands.emplace_back(cmd, [&g, req] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = Verify(*opts, *req);
    return Finish(g, res.status, evidence::ToJson(res),
                  res.target.empty() ? std::string() : evidence::ToText(res));
  });
});

}  // namespace
}  // namespace strata::cli
