// The checks `validate` reports and `migrate` refuses on: checksum mismatches, missing and
// failed migrations, a broken hash chain, out-of-order pending files. Pure; thread-safe.
#pragma once

#include "strata/commands.h"
#include "strata/options.h"

#include "db/connection.h"
#include "migrate/state.h"

#include <optional>
#include <string_view>
#include <vector>

namespace strata::engine {

// `chain_breaks` is ledger::Ledger::VerifyChain of the rows the report was joined from (computed
// by the caller, which may do it while other work runs). `running`: the holder of the
// migration lock when another run holds it (RunningHolder); the ledger's tail row, if it is an
// unfinished non-transactional migration, is then that run's progress ("running"), not a
// failure.
std::vector<ValidateIssue> CollectIssues(const migrate::StateReport& report,
                                         const std::vector<std::string>& chain_breaks,
                                         const Options& options,
                                         const std::optional<db::LockHolder>& running = {});

// Whether `e` is the unfinished row of the ledger's last migration (the only row a live run
// can still be writing).
bool IsUnfinishedTail(const migrate::Entry& e, const std::vector<migrate::AppliedRow>& rows);

// How a failed row reads: "failed after 2 statement(s) ran: ...", "was interrupted while
// statement 3 was in flight", ... and the next step.
struct FailedRowText {
  std::string message;
  std::string hint;
};
FailedRowText DescribeFailedRow(const migrate::AppliedRow& a, std::string_view name);

// Maps an issue list to the one Status a command fails with (kValidation), or ok.
Status IssuesToStatus(const std::vector<ValidateIssue>& issues);

}  // namespace strata::engine
