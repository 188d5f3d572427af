// ST107 index-too-many-columns: a non-unique index over more than 3 columns is rarely worth its
// write cost. The doc is index-too-many-columns.md; cases are in index-too-many-columns.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckIndexTooManyColumns(Context& ctx) {
  using namespace rules;  // NOLINT
  JsonRef b = ctx.stmt()->node().As("IndexStmt");
  if (!b || b.Get("unique").Bool()) return;
  size_t n = b.Get("indexParams").size();
  if (n <= 3) return;
  ctx.Report(fmt::format("non-unique index over {} columns: every write pays for it and the "
                         "planner rarely uses the tail",
                         n),
             "index the leading 1-3 columns queries filter on; use INCLUDE for covered columns");
}

}  // namespace strata::lint
