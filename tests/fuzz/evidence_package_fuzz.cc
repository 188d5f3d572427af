// Evidence packages (Markdown or JSON, sealed with a digest and optionally an Ed25519
// signature): what `strata evidence verify` does after reading the file — evidence::ReadSeal,
// then the signature check and the key fingerprint.
#include "evidence/package.h"
#include "evidence/sign.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  auto seal = evidence::ReadSeal(fuzz::AsText(data, size), "evidence.md");
  if (!seal) return 0;
  FUZZ_CHECK(seal->format == "md" || seal->format == "json");
  if (!seal->signature_b64.empty()) {
    (void)evidence::VerifyEd25519(seal->digest, seal->signature_b64, seal->public_key_b64);
    (void)evidence::Fingerprint(seal->public_key_b64);
  }
  return 0;
}
