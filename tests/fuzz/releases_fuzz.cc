// The release manifest (db/releases.toml): config::LoadReleases, as `strata plan` and
// `strata evidence` read it. The input is written to a scratch file (the loader reads a path).
#include "config/releases.h"

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  static const std::string kPath = fuzz::ScratchDir() + "/releases.toml";
  fuzz::WriteFileOrDie(kPath, fuzz::AsText(data, size));
  auto releases = config::LoadReleases(kPath);
  if (!releases) return 0;
  for (const config::ReleaseSpec& r : *releases) FUZZ_CHECK(!r.name.empty());
  return 0;
}
