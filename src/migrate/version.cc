#include "migrate/version.h"

#include <cctype>

namespace strata::migrate {

std::optional<Version> Version::Parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Version v;
  std::string part;
  bool in_part = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '.' || text[i] == '_') {
      if (!in_part) return std::nullopt;  // empty part: "1..2", "1.", ".1"
      size_t nz = part.find_first_not_of('0');
      v.parts_.push_back(nz == std::string::npos ? std::string() : part.substr(nz));
      v.text_ += (v.text_.empty() ? "" : ".") + part;
      part.clear();
      in_part = false;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    part.push_back(text[i]);
    in_part = true;
  }
  while (!v.parts_.empty() && v.parts_.back().empty()) v.parts_.pop_back();
  if (v.parts_.empty()) v.parts_.push_back("");  // version 0
  return v;
}

std::strong_ordering Version::operator<=>(const Version& other) const {
  size_t n = std::max(parts_.size(), other.parts_.size());
  static const std::string kZero;
  for (size_t i = 0; i < n; ++i) {
    const std::string& a = i < parts_.size() ? parts_[i] : kZero;
    const std::string& b = i < other.parts_.size() ? other.parts_[i] : kZero;
    if (a.size() != b.size()) return a.size() <=> b.size();
    if (auto c = a.compare(b); c != 0) return c <=> 0;
  }
  return std::strong_ordering::equal;
}

}  // namespace strata::migrate
