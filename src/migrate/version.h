// Migration versions: dot- or underscore-separated numbers compared part by part as numbers of
// any length (V1 < V1.1 < V2 < V10; V20260628_0901; 20-digit Ory versions). Trailing zero
// parts do not count (1.0 == 1). A value type; thread-compatible.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::migrate {

class Version {
 public:
  Version() = default;
  // Parses "1", "1.2", "1_2", "20260628_0901". Returns nullopt on anything else.
  static std::optional<Version> Parse(std::string_view text);

  bool empty() const { return parts_.empty(); }
  // Display form: parts joined with '.', as written ("001.2" stays "001.2").
  const std::string& text() const { return text_; }

  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

 private:
  std::vector<std::string> parts_;  // digits, leading zeros stripped ("" for 0)
  std::string text_;
};

}  // namespace strata::migrate
