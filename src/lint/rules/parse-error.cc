// SY101 parse-error: a statement PostgreSQL's parser rejects. The doc is parse-error.md; cases are
// in parse-error.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckParseError(Context& ctx) {
  using namespace rules;  // NOLINT
  // Reported by the linter core (linter.cc / suppress.cc), not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
