// The apply-time lint gate: before `migrate` runs anything, the analyzer reads the pending set
// (live-aware on PostgreSQL: server version and table sizes) and the run is refused when an
// unsuppressed finding reaches `[lint] gate`. Accepted `-- strata:allow` suppressions become a
// note per migration that the ledger row records beside it.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "engine/context.h"
#include "engine/plan.h"

#include <string>
#include <vector>

namespace strata::engine {

// Fills `report`; `notes[i]` receives the ledger note of prepared[i] (empty when nothing was
// suppressed). Returns kLint when the gate refuses, kConfig for an invalid [lint] table,
// kConnection when the live sizes cannot be read.
//
// On SQLite the analyzer's PostgreSQL lock and grammar rules do not apply; only the families
// that mean the same on any database gate the run (breaking changes BC, data changes DM,
// policy PO, suppression meta SY10x except parse errors, vague names ST106).
Status RunLintGate(Context& ctx, const Options& options,
                   const std::vector<PreparedMigration>& prepared, LintGateReport& report,
                   std::vector<std::string>& notes);

}  // namespace strata::engine
