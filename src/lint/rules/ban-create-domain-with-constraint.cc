// CN110 ban-create-domain-with-constraint: a domain with a CHECK is hard to change online. The doc
// is ban-create-domain-with-constraint.md; cases are in ban-create-domain-with-constraint.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckBanCreateDomainWithConstraint(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("CreateDomainStmt");
  if (!b) return;
  JsonRef cons = b.Get("constraints");
  for (size_t i = 0; i < cons.size(); ++i) {
    JsonRef c = cons.At(i).Get("Constraint");
    if (c.Get("contype").Str() == "CONSTR_CHECK") {
      ctx.Report(
          "a domain with a CHECK constraint is hard to change online: changing it re-checks every "
          "column that uses the domain",
          "use a plain type plus table CHECK constraints (NOT VALID + VALIDATE)", Loc(c));
      return;
    }
  }
}

}  // namespace strata::lint
