// PO105 declared-risk-class-too-weak: an intent header declaring a weaker risk class than the
// analysis finds skips the stricter class's gates. The doc is declared-risk-class-too-weak.md;
// cases are in declared-risk-class-too-weak.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckDeclaredRiskClassTooWeak(Context& ctx) {
  // Reported by the linter core once the migration's classes are known (linter.cc).
  (void)ctx;
}

}  // namespace strata::lint
