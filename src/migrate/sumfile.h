// strata.sum: one file per migration location holding a cumulative SHA-256 over the names and
// checksums of its migrations, one line per file. Two branches that each add a migration both
// change its first line, so they conflict in git instead of in production. Format:
// docs/formats/checksum.md. Stateless; thread-safe.
#pragma once

#include "strata/result.h"

#include "migrate/discovery.h"

#include <string>
#include <vector>

namespace strata::migrate {

inline constexpr std::string_view kSumFileName = "strata.sum";

// Renders the sum file for the migrations of one location (in set order).
std::string RenderSum(const std::vector<const Migration*>& migrations);

// Writes strata.sum into every location. Returns the paths written.
Result<std::vector<std::string>> WriteSums(const Options& options, const MigrationSet& set);

// Checks every location's strata.sum against the set. Errors (kSumMismatch) list the files
// added, removed or changed since the sum was written, and say to review and run `strata hash`.
Status CheckSums(const Options& options, const MigrationSet& set);

}  // namespace strata::migrate
