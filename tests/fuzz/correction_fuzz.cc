// Audited data corrections (db/corrections/<id>.toml): seed::ParseCorrection, what
// LoadCorrection runs after reading the file.
#include "fuzz_util.h"
#include "seed/correction.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  (void)seed::ParseCorrection(fuzz::AsText(data, size), "db/corrections/FUZZ-1.toml",
                              "db/corrections/FUZZ-1.toml");
  return 0;
}
