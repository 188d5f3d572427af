#include "base/sha256.h"

// OpenSSL's SHA256_Init/Update/Final, deprecated since 3.0 in favour of EVP but kept in 3.x:
// they run the same assembly (SHA-NI where the CPU has it) without EVP's provider machinery,
// whose one-time set-up (configuration file, default provider, the fetch of "SHA256": ~5 M
// instructions, 1-2 ms) fell on the first digest of every run, and whose per-digest dispatch
// cost a third of hashing a 300-byte ledger row. Checksums and the ledger's hash chain detect
// edits; they are not a FIPS boundary.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace strata::base {

void PrepareSha256() {}  // nothing to set up any more: see above

Sha256::Sha256() : ctx_(new SHA256_CTX) { SHA256_Init(static_cast<SHA256_CTX*>(ctx_)); }
Sha256::~Sha256() { delete static_cast<SHA256_CTX*>(ctx_); }

void Sha256::Update(std::string_view bytes) {
  SHA256_Update(static_cast<SHA256_CTX*>(ctx_), bytes.data(), bytes.size());
}

Digest Sha256::Finish() {
  Digest d{};
  SHA256_Final(d.data(), static_cast<SHA256_CTX*>(ctx_));
  return d;
}

std::string Sha256::FinishHex() { return ToHex(Finish()); }

Digest Sha256Of(std::string_view bytes) {
  // Not OpenSSL 3's one-shot SHA256(): that one goes through EVP_Q_digest, a fetch per call.
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  Digest d{};
  SHA256_Final(d.data(), &ctx);
  return d;
}

std::string Sha256Hex(std::string_view bytes) { return ToHex(Sha256Of(bytes)); }

namespace {
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

bool HexEquals(const Digest& d, std::string_view hex) {
  if (hex.size() != 2 * d.size()) return false;
  for (size_t i = 0; i < d.size(); ++i) {
    if (hex[2 * i] != kHex[d[i] >> 4] || hex[2 * i + 1] != kHex[d[i] & 0xF]) return false;
  }
  return true;
}

std::string ToHex(const Digest& d) {
  std::string out(64, '0');
  for (size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0xF];
  }
  return out;
}

}  // namespace strata::base
