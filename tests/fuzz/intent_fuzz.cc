// The intent header (verify::ParseIntent) and its required-key policy (verify::CheckRequired),
// as engine::Prepare and `strata lint` read every migration file.
#include "verify/intent.h"

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  auto intent = verify::ParseIntent(fuzz::AsText(data, size), "V1__fuzz.sql");
  if (!intent) return 0;
  static const verify::IntentPolicy kPolicy = [] {
    verify::IntentPolicy p = verify::IntentPolicy::Defaults();
    p.require_header = true;
    return p;
  }();
  (void)verify::CheckRequired(*intent, kPolicy);
  for (const auto& [key, field] : intent->fields) {
    FUZZ_CHECK(intent->Has(key));
    FUZZ_CHECK(intent->Get(key) == field.value);
  }
  (void)verify::RecoveryName(intent->recovery);
  return 0;
}
