// ANSI terminal colours: one small helper, so every renderer colours the same way. Whether to
// colour is the caller's decision (the CLI's --color / NO_COLOR / isatty); renderers take a
// bool and stay pure. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace strata::base {

enum class Ansi { kRed, kYellow, kGreen, kCyan, kDim, kBold };

// `text` wrapped in the escape sequence for `style` and a reset when `on`, else `text`.
inline std::string Paint(std::string_view text, Ansi style, bool on) {
  if (!on || text.empty()) return std::string(text);
  static constexpr std::string_view kCodes[] = {"31", "33", "32", "36", "2", "1"};
  std::string out = "\033[";
  out += kCodes[static_cast<int>(style)];
  out += 'm';
  out += text;
  out += "\033[0m";
  return out;
}

}  // namespace strata::base
