// strata.sum: one file per migration location holding a cumulative SHA-256 over the names and
// checksums of its migrations, one line per file. Two branches that each add a migration both
// change its first line, so they conflict in git instead of in production. Format:
// docs/formats/checksum.md. Stateless; thread-safe.
#pragma once

#include "strata/result.h"

#include "migrate/discovery.h"
#include "migrate/stat_cache.h"

#include <cstdint>
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
//
// With `cache` (migrate's stat cache): a location whose sum file still has the stamp of a
// recorded match, whose migrations all took their checksums from the cache (text_read false)
// and whose (script, checksum) list has the recorded digest is not checked again: nothing is
// read, rendered or hashed. Every match found (recorded or checked) is added to `seen->sums`.
Status CheckSums(const Options& options, const MigrationSet& set, const StatCache* cache = nullptr,
                 StatCache::Seen* seen = nullptr);

// A 64-bit digest of the (script, checksum) list of `migrations` (in order): what a recorded
// match in the stat cache was a match for. Not cryptographic: a recorded match is only taken
// when every checksum in the list came from the cache unchanged.
std::uint64_t SumDigest(const std::vector<const Migration*>& migrations);

}  // namespace strata::migrate
