// SQ105 sqlite-schema-mismatch: reported by the SQLite half of the linter
// (lint/sqlite_lint.cc), from the scratch database that runs the pending set in order. The doc
// is sqlite-schema-mismatch.md; cases are in sqlite-schema-mismatch.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckSqliteSchemaMismatch(Context& ctx) {
  // Reported by lint/sqlite_lint.cc, not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
