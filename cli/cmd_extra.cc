// Verbs of capabilities beyond the engine register here (each in its own cmd_<verb>.cc).
#include "cli/commands.h"

namespace strata::cli {

void RegisterExtraCommands(CLI::App&, GlobalFlags&, Registry&) {}

}  // namespace strata::cli
