// `strata hash`: rewrite strata.sum in every location from the files as they are.
#include "strata/commands.h"

#include "migrate/sumfile.h"

namespace strata {

HashResult Hash(const Options& options) {
  HashResult res;
  auto set = migrate::Discover(options);
  if (!set) {
    res.status = set.error();
    return res;
  }
  res.migrations = static_cast<int>(set->migrations.size());
  auto written = migrate::WriteSums(options, *set);
  if (!written) {
    res.status = written.error();
    return res;
  }
  res.written = std::move(*written);
  return res;
}

}  // namespace strata
