// strata correct plan|apply|revert <id>: audited data corrections from db/corrections/<id>.toml.
#include "cli/commands.h"

#include <memory>

#include "seed/correction.h"
#include "seed/render.h"

namespace strata::cli {
namespace {

void Register(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* correct =
      app.add_subcommand("correct", "audited data corrections (db/corrections/<id>.toml)");
  correct->require_subcommand(1);
  Examples(correct, {{"strata correct plan fix-1234",
                      "the rows db/corrections/fix-1234.toml would change, before and after"},
                     {"strata correct apply fix-1234", "apply it with an audit trail"}});
  struct Verb {
    const char* name;
    const char* help;
    seed::CorrectionResult (*cmd)(const Options&, const std::string&);
  };
  static const Verb verbs[] = {
      {"plan", "count the affected rows and show a sample, before → after", seed::CorrectPlanCmd},
      {"apply", "apply in one transaction with before/after images in strata_correction_audit",
       seed::CorrectApplyCmd},
      {"revert", "restore the before images of the last applied run, as a new audited correction",
       seed::CorrectRevertCmd},
  };
  for (const auto& v : verbs) {
    auto* sub = correct->add_subcommand(v.name, v.help);
    auto id = std::make_shared<std::string>();
    sub->add_option("id", *id, "correction id (db/corrections/<id>.toml) or a path to the .toml")
        ->required();
    auto cmd = v.cmd;
    reg.commands.emplace_back(sub, [&g, id, cmd] {
      int code = 0;
      auto opts = LoadOptions(g, code);
      if (!opts) return code;
      auto r = cmd(*opts, *id);
      return Finish(g, r.status, seed::ToJson(r), seed::ToText(r));
    });
  }
}

const VerbRegistrar kRegistrar("correct", Register);

}  // namespace
}  // namespace strata::cli
