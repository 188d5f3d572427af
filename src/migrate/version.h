// Migration versions: dot- or underscore-separated numbers compared part by part as numbers of
// any length (V1 < V1.1 < V2 < V10; V20260628_0901; 20-digit Ory versions). Trailing zero
// parts do not count (1.0 == 1). A value type; thread-compatible.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace strata::migrate {

class Version {
 public:
  Version() = default;
  // Parses "1", "1.2", "1_2", "20260628_0901". Returns nullopt on anything else.
  static std::optional<Version> Parse(std::string_view text);

  bool empty() const { return text_.empty(); }
  // Display form: parts joined with '.', as written ("001.2" stays "001.2").
  const std::string& text() const { return text_; }

  std::strong_ordering operator<=>(const Version& other) const {
    return key_.compare(other.key_) <=> 0;
  }
  bool operator==(const Version& other) const { return key_ == other.key_; }

 private:
  // The order as one byte string, so that comparing versions is comparing strings: each part
  // without leading zeros as <length><digits>, trailing zero parts dropped. A shorter number is
  // smaller, and so is its length byte; lengths from 255 on are 0xFF and 4 bytes big-endian.
  std::string key_;
  std::string text_;
};

}  // namespace strata::migrate
