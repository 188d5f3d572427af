// SY102 suppression-missing-reason: a -- strata:allow without reason=\"...\". The doc is
// suppression-missing-reason.md; cases are in suppression-missing-reason.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckSuppressionMissingReason(Context& ctx) {
  using namespace rules;  // NOLINT
  // Reported by the linter core (linter.cc / suppress.cc), not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
