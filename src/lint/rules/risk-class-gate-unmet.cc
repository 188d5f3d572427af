// PO106 risk-class-gate-unmet: a migration with an intent header whose risk class has a
// lifecycle gate strata can check, and the gate is not met: a data change (dml-correction,
// large-backfill) without a strata post-check, a breaking change (breaking-ddl) without a
// release in the manifest that lists it with its compatibility surfaces. The doc is
// risk-class-gate-unmet.md; cases are in risk-class-gate-unmet.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckRiskClassGateUnmet(Context& ctx) {
  // Reported by the linter core once the migration's classes are known (risk.cc).
  (void)ctx;
}

}  // namespace strata::lint
