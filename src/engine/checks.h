// The checks `validate` reports and `migrate` refuses on: checksum mismatches, missing and
// failed migrations, a broken hash chain, out-of-order pending files. Pure; thread-safe.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "migrate/state.h"

#include <vector>

namespace strata::engine {

// `chain_breaks` is ledger::Ledger::VerifyChain of the rows the report was joined from (computed
// by the caller, which may do it while other work runs).
std::vector<ValidateIssue> CollectIssues(const migrate::StateReport& report,
                                         const std::vector<std::string>& chain_breaks,
                                         const Options& options);

// Maps an issue list to the one Status a command fails with (kValidation), or ok.
Status IssuesToStatus(const std::vector<ValidateIssue>& issues);

}  // namespace strata::engine
