// The checks `validate` reports and `migrate` refuses on: checksum mismatches, missing and
// failed migrations, a broken hash chain, out-of-order pending files. Pure; thread-safe.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "migrate/state.h"

#include <vector>

namespace strata::engine {

std::vector<ValidateIssue> CollectIssues(const migrate::StateReport& report,
                                         const std::vector<migrate::AppliedRow>& rows,
                                         const Options& options);

// Maps an issue list to the one Status a command fails with (kValidation), or ok.
Status IssuesToStatus(const std::vector<ValidateIssue>& issues);

}  // namespace strata::engine
