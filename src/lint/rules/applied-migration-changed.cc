// SY106 applied-migration-changed: a migration that is already applied (per the ledger or git
// history) was edited. The doc is applied-migration-changed.md; cases are in
// applied-migration-changed.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckAppliedMigrationChanged(Context& ctx) {
  // Reported by the linter core from LintInput::changed_after_apply (ledger or git).
  (void)ctx;
}

}  // namespace strata::lint
