// The apply-time lint gate: before `migrate` runs anything, the analyzer reads the pending set
// (live-aware on PostgreSQL: server version and table sizes) and the run is refused when an
// unsuppressed finding reaches `[lint] gate`. Accepted `-- strata:allow` suppressions become a
// note per migration that the ledger row records beside it.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "engine/plan.h"
#include "lint/linter.h"
#include "session/session.h"

#include <memory>
#include <string>
#include <vector>

namespace strata::engine {

// The gate's lint of a pending set, kept for a caller that needs the analyzer's predictions too
// (MigrateResult::gate_lint): result.migrations[i] is of the pending migration scripts[i].
struct GateLint {
  lint::LintResult result;
  std::vector<std::string> scripts;    // as the ledger names them
  std::vector<std::string> paths;      // MigrationReport::path of each
  std::vector<std::string> checksums;  // SHA-256 of each text as linted
};

// Fills `report`; `allowed[i]` receives the accepted suppressions of prepared[i], each as
// "<rules> at line N: <reason>". Returns kLint when the gate refuses, kConfig for an invalid
// [lint] table, kConnection when the live sizes cannot be read. With `keep`, *keep receives the
// lint when it ran (refused or not).
//
// On SQLite only findings that mean the same there gate the run (lint::MeansTheSameOnSqlite).
Status RunLintGate(session::Session& ctx, const Options& options,
                   const std::vector<PreparedMigration>& prepared, LintGateReport& report,
                   std::vector<std::vector<std::string>>& allowed,
                   std::shared_ptr<const GateLint>* keep = nullptr);

// One accepted suppression as recorded: "<rules> at line N: <reason>".
std::string DescribeAllowance(const AcceptedSuppression& a);

// The ledger note for a migration's accepted suppressions ("lint allowed ...; lint allowed ..."),
// empty when there are none.
std::string AllowedNote(const std::vector<std::string>& allowed);

}  // namespace strata::engine
