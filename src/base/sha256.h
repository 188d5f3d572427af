// SHA-256 over byte strings (OpenSSL's SHA-256, without EVP: no one-time set-up, see
// sha256.cc). Stateless functions and a small incremental hasher; a Sha256 object is not
// thread-safe, distinct objects are independent.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::base {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Finishes the hash; the object must not be updated afterwards.
  Digest Finish();
  std::string FinishHex();

 private:
  void* ctx_;  // SHA256_CTX*, kept opaque so OpenSSL headers stay out of this header
};

// Kept for callers that set SHA-256 up ahead of a critical path: there is nothing left to set
// up (the first digest costs what every other does). Harmless from any thread.
void PrepareSha256();

Digest Sha256Of(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);
std::string ToHex(const Digest& d);
// Whether `hex` is the lower-case hex form of `d` (what ToHex gives), without allocating.
bool HexEquals(const Digest& d, std::string_view hex);

}  // namespace strata::base
