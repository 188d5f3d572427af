#include "migrate/version.h"

namespace strata::migrate {

namespace {

void AppendLength(std::string& key, size_t n) {
  if (n < 0xFF) {
    key.push_back(static_cast<char>(n));
    return;
  }
  key.push_back(static_cast<char>(0xFF));
  for (int shift = 24; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
}

}  // namespace

std::optional<Version> Version::Parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Version v;
  v.text_.reserve(text.size());
  size_t kept = 0;  // key_ length up to the last non-zero part
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '.' && text[i] != '_') {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      continue;
    }
    if (i == start) return std::nullopt;  // empty part: "1..2", "1.", ".1"
    std::string_view part = text.substr(start, i - start);
    if (!v.text_.empty()) v.text_.push_back('.');
    v.text_.append(part);
    size_t nz = part.find_first_not_of('0');
    std::string_view digits = nz == std::string_view::npos ? std::string_view() : part.substr(nz);
    AppendLength(v.key_, digits.size());
    v.key_.append(digits);
    if (!digits.empty()) kept = v.key_.size();
    start = i + 1;
  }
  v.key_.resize(kept);  // 1.0 == 1
  return v;
}

}  // namespace strata::migrate
