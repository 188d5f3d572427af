// Test-only: random byte-level edits of a valid input, for the fuzz-ish parser tests of the
// check and intent parsers. Header-only; not part of strata_verify.
#pragma once

#include <random>
#include <string>

namespace strata::verify::test_util {

// Applies 1..max_edits random edits to `s`: insert a character from `alphabet`, delete one, or
// overwrite one with an arbitrary byte.
inline std::string Mutate(std::string s, std::mt19937& rng, const std::string& alphabet,
                          int max_edits) {
  int edits = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_edits));
  for (int k = 0; k < edits; ++k) {
    size_t pos = rng() % (s.size() + 1);
    switch (rng() % 3) {
      case 0:
        s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
        break;
      case 1:
        if (pos < s.size()) s.erase(pos, 1);
        break;
      default:
        if (pos < s.size()) s[pos] = static_cast<char>(rng() % 256);
        break;
    }
  }
  return s;
}

}  // namespace strata::verify::test_util
