// `strata hash`: rewrite strata.sum in every location from the files as they are.
#include "strata/commands.h"

#include "migrate/sumfile.h"

namespace strata {

HashResult Hash(const Options& options, const HashRequest& request) {
  HashResult res;
  auto set = migrate::Discover(options);
  if (!set) {
    res.status = set.error();
    return res;
  }
  res.migrations = static_cast<int>(set->migrations.size());
  if (request.check) {
    res.status = migrate::CheckSums(options, *set);
    res.checked = res.status.ok();
    return res;
  }
  auto written = migrate::WriteSums(options, *set);
  if (!written) {
    res.status = written.error();
    return res;
  }
  res.written = std::move(*written);
  return res;
}

}  // namespace strata
