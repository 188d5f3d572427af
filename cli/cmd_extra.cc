// Verbs of capabilities beyond the engine register here (each in its own cmd_<verb>.cc).
#include "cli/commands.h"

namespace strata::cli {

void RegisterLintCommand(CLI::App& app, GlobalFlags& g, Registry& reg);

std::vector<VerbRegistration> ExtraVerbs() { return {{"lint", &RegisterLintCommand}}; }

}  // namespace strata::cli
