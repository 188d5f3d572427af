// CN109 ban-alter-domain-with-add-constraint: ALTER DOMAIN ADD CONSTRAINT checks every column of
// the domain. The doc is ban-alter-domain-with-add-constraint.md; cases are in
// ban-alter-domain-with-add-constraint.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanAlterDomainWithAddConstraint(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("AlterDomainStmt");
  if (!b || b.Get("subtype").Str() != "C") return;
  ctx.Report(
      "ALTER DOMAIN ADD CONSTRAINT checks every column of every table that uses the domain, "
      "locking each",
      "add the constraint NOT VALID and VALIDATE it later, or move the check onto the tables");
}

}  // namespace strata::lint
