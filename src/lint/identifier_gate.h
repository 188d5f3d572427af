// The identifier gate (seed 004, invariant 8): before a verb that writes — `backfill run`,
// `correct apply`, `change start` — runs SQL it built or read, the ID rules (rules.def, family
// ID) look at that SQL against the project's identifier contracts (db/identifiers.toml) and the
// verb refuses a statement that changes or deletes an identifier others hold. `migrate` gets the
// same rules through its lint gate (LintPending). One call per verb; reentrant.
#pragma once

#include "strata/options.h"
#include "strata/status.h"

#include <string>
#include <string_view>

namespace strata::db {
class Connection;
}

namespace strata::lint {

// Lints `sql` with the ID rules only. `at` is where the SQL comes from: a finding is reported
// at `at` when it has a line, else at `at.file` plus the finding's line and column in `sql`.
// `live` (may be null; PostgreSQL only) adds the live views and ON DELETE CASCADE foreign keys.
// `-- strata:allow <rule> reason="..."` in `sql` suppresses as in a migration.
// Returns Ok when no contracts are declared or nothing is touched; kLint naming the identifier,
// its consumers and the verb, with the mapping as the next step (the first finding; the count
// of others); kConfig for an unreadable contracts file or [lint]; the database's errors.
Status RefuseIdentifierChanges(const Options& options, std::string_view sql, const SourceSpan& at,
                               std::string_view verb, db::Connection* live);

// The same for a file of SQL (a change file): reads `path` (kIo when unreadable).
Status RefuseIdentifierChangesInFile(const Options& options, const std::string& path,
                                     std::string_view verb, db::Connection* live);

}  // namespace strata::lint
