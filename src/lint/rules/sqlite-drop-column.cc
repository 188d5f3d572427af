// SQ103 sqlite-drop-column: reported by the SQLite half of the linter (lint/sqlite_lint.cc), from
// the scratch database that runs the pending set in order. The doc is sqlite-drop-column.md; cases
// are in sqlite-drop-column.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckSqliteDropColumn(Context& ctx) {
  // Reported by lint/sqlite_lint.cc, not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
