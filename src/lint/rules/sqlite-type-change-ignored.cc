// SQ104 sqlite-type-change-ignored: reported by the SQLite half of the linter
// (lint/sqlite_lint.cc), from the scratch database that runs the pending set in order. The doc is
// sqlite-type-change-ignored.md; cases are in sqlite-type-change-ignored.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckSqliteTypeChangeIgnored(Context& ctx) {
  // Reported by lint/sqlite_lint.cc, not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
