// SY104 unused-suppression: a -- strata:allow that suppresses nothing. The doc is
// unused-suppression.md; cases are in unused-suppression.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckUnusedSuppression(Context& ctx) {
  using namespace rules;  // NOLINT
  // Reported by the linter core (linter.cc / suppress.cc), not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
