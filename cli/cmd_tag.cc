// strata tag <name> [--note "..."]: marks a release point in the evidence ledger, so that
// `strata evidence --release <name>` and plans can name a release range.
#include "cli/commands.h"

#include "evidence/render.h"

namespace strata::cli {
namespace {

static VerbRegistrar reg("tag", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* cmd = app.add_subcommand("tag", "mark a release point in the evidence ledger");
  Examples(cmd, {{"strata tag release-2026.06 --note \"quarterly release\"",
                  "mark the runs so far as one release"}});
  auto req = std::make_shared<TagRequest>();
  cmd->add_option("name", req->name, "release name, e.g. release-2026.06 or B")->required();
  cmd->add_option("--note", req->note, "a line recorded with the tag");
  r.commands.emplace_back(cmd, [&g, req] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = Tag(*opts, *req);
    return Finish(g, res.status, evidence::ToJson(res), evidence::ToText(res));
  });
});

}  // namespace
}  // namespace strata::cli
