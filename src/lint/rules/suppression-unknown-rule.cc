// SY103 suppression-unknown-rule: a -- strata:allow naming a rule that does not exist. The doc is
// suppression-unknown-rule.md; cases are in suppression-unknown-rule.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckSuppressionUnknownRule(Context& ctx) {
  using namespace rules;  // NOLINT
  // Reported by the linter core (linter.cc / suppress.cc), not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
