// SHA-256 over byte strings (OpenSSL EVP). Stateless functions and a small incremental hasher;
// a Sha256 object is not thread-safe, distinct objects are independent.
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
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay out of this header
};

// Does OpenSSL's one-time set-up for SHA-256 now (its configuration file, the default
// provider, the fetch of the implementation: ~5 M instructions, 1-2 ms) instead of in the first
// digest. A command whose first digest is on its critical path calls this early on a thread
// that has time to spare; calling it again, or from several threads at once, is harmless.
void PrepareSha256();

Digest Sha256Of(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);
std::string ToHex(const Digest& d);
// Whether `hex` is the lower-case hex form of `d` (what ToHex gives), without allocating.
bool HexEquals(const Digest& d, std::string_view hex);

}  // namespace strata::base
