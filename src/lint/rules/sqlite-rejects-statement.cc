// SQ101 sqlite-rejects-statement: reported by the SQLite half of the linter (lint/sqlite_lint.cc),
// from the scratch database that runs the pending set in order. The doc is
// sqlite-rejects-statement.md; cases are in sqlite-rejects-statement.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckSqliteRejectsStatement(Context& ctx) {
  // Reported by lint/sqlite_lint.cc, not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
