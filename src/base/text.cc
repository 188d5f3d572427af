#include "base/text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace strata::base {

std::optional<size_t> FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  while (i < n) {
    // ASCII, the common case, eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned int cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong encodings, surrogates and values above U+10FFFF are invalid.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return i;
    }
    i += len;
  }
  return std::nullopt;
}

std::string NormalizeText(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  std::string out;
  out.reserve(s.size());
  // Copy the runs between carriage returns whole; CRLF and a lone CR both become LF.
  for (size_t i = 0; i < s.size();) {
    size_t cr = s.find('\r', i);
    if (cr == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, cr - i));
    out.push_back('\n');
    i = cr + 1;
    if (i < s.size() && s[i] == '\n') ++i;
  }
  return out;
}

std::string NormalizeTextOwned(std::string s) {
  bool bom = s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0;
  if (!bom && s.find('\r') == std::string::npos) return s;
  return NormalizeText(std::string_view(s));
}

LineIndex::LineIndex(std::string_view text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(i + 1);
  }
}

int LineIndex::LineOf(size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<int>(it - starts_.begin());
}

int LineIndex::ColumnOf(size_t offset) const {
  int line = LineOf(offset);
  return static_cast<int>(offset - starts_[line - 1]) + 1;
}

std::string_view LineIndex::Line(std::string_view text, int line) const {
  if (line < 1 || static_cast<size_t>(line) > starts_.size()) return {};
  size_t b = starts_[line - 1];
  size_t e = static_cast<size_t>(line) < starts_.size() ? starts_[line] - 1 : text.size();
  if (b > text.size()) return {};
  std::string_view l = text.substr(b, e - b);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

namespace {
inline char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }
}  // namespace

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = FoldAscii(c);
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldAscii(a[i]) != FoldAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '\n') {
      std::string_view l = s.substr(b, i - b);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (i < s.size() || !l.empty()) out.push_back(l);
      b = i + 1;
    }
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates,
                              size_t max_distance) {
  std::string_view best;
  size_t best_d = max_distance + 1;
  for (std::string_view c : candidates) {
    if (size_t d = EditDistance(word, c); d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string MarkdownCell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace strata::base
