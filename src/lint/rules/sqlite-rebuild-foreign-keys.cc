// SQ102 sqlite-rebuild-foreign-keys: reported by the SQLite half of the linter
// (lint/sqlite_lint.cc), from the scratch database that runs the pending set in order. The doc is
// sqlite-rebuild-foreign-keys.md; cases are in sqlite-rebuild-foreign-keys.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

void CheckSqliteRebuildForeignKeys(Context& ctx) {
  // Reported by lint/sqlite_lint.cc, not by a per-statement check.
  (void)ctx;
}

}  // namespace strata::lint
