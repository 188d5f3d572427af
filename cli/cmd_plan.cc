// strata plan [--all] [--release <name>] [--format md|json]: the runbook before the change.
#include "cli/commands.h"

#include "plan/render.h"

namespace strata::cli {
namespace {

static VerbRegistrar reg("plan", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* cmd = app.add_subcommand(
      "plan", "write the runbook for pending migrations (Markdown, or JSON with --format json)");
  auto req = std::make_shared<PlanRequest>();
  auto format = std::make_shared<std::string>("md");
  cmd->add_flag("--all", req->all, "plan every migration file without reading the database");
  cmd->add_option("--release", req->release, "only this release of the manifest");
  cmd->add_option("--format", *format, "md (default) or json")
      ->check(CLI::IsMember({"md", "json"}));
  Examples(cmd, {{"strata plan > runbook.md", "the runbook of the pending migrations"},
                 {"strata plan --all --format json", "every file, without a database"}});
  r.commands.emplace_back(cmd, [&g, req, format] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = Plan(*opts, *req);
    GlobalFlags out = g;
    if (*format == "json") out.json = true;
    return Finish(out, res.status, plan::ToJson(res),
                  res.status.ok() ? plan::ToMarkdown(res) : std::string());
  });
});

}  // namespace
}  // namespace strata::cli
