#include "base/sha256.h"

#include <openssl/evp.h>

namespace strata::base {

namespace {
// OpenSSL 3 resolves "SHA256" through its provider machinery under a lock on every implicit
// EVP_sha256() init; fetch the implementation once and reuse it.
const EVP_MD* Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
}  // namespace

void PrepareSha256() { (void)Md(); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), Md(), nullptr);
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

Digest Sha256::Finish() {
  Digest d{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), d.data(), &len);
  return d;
}

std::string Sha256::FinishHex() { return ToHex(Finish()); }

Digest Sha256Of(std::string_view bytes) {
  // One context per thread, reset for each digest: EVP_Digest allocates and frees a context
  // per call, a third of the cost of hashing a 300-byte ledger row.
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx t;
  Digest d{};
  unsigned int len = 0;
  EVP_DigestInit_ex2(t.ctx, Md(), nullptr);
  EVP_DigestUpdate(t.ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(t.ctx, d.data(), &len);
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
