// --color: when the CLI colours its output.
#include "cli/commands.h"

#include <unistd.h>

#include <cstdlib>

namespace strata::cli {

bool UseColor(const GlobalFlags& g, int fd) {
  if (g.color == "always") return true;
  if (g.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(fd) != 0;
}

}  // namespace strata::cli
