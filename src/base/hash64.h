// A 64-bit non-cryptographic hash for what only this machine reads back: a cache file's name,
// the check that tells a damaged cache file, the fingerprint that says a list changed. Each step
// is a bijection of the state (xor, multiply by an odd constant, xorshift), so any one changed
// word changes the result, and the xorshift carries high bits down so that two changes rarely
// cancel. Fast; not a MAC (whoever can write the data can match it) and not stable across
// releases (nothing outside a cache keeps one).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata::base {

class Hash64 {
 public:
  Hash64& AddWord(std::uint64_t w) {
    h_ = (h_ ^ w) * 0x9e3779b97f4a7c15ULL;
    h_ ^= h_ >> 29;
    return *this;
  }
  // Length first, then eight bytes at a time, the tail zero-padded: AddBytes("ab").AddBytes("c")
  // and AddBytes("a").AddBytes("bc") differ.
  Hash64& AddBytes(std::string_view s) {
    AddWord(s.size());
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      AddWord(w);
    }
    std::uint64_t tail = 0;
    if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);  // data() may be null
    return AddWord(tail);
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace strata::base
