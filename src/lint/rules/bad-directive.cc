// SY105 bad-directive: an unknown or malformed -- strata: directive. The doc is bad-directive.md;
// cases are in bad-directive.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBadDirective(Context& ctx) {
  using namespace rules;  // NOLINT
  // Reported by the linter core (linter.cc / suppress.cc), not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
