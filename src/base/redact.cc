#include "base/redact.h"

#include "base/text.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace strata::base {

namespace {
std::mutex& SecretsMutex() {
  static std::mutex m;
  return m;
}
std::vector<std::string>& Secrets() {
  static std::vector<std::string> s;
  return s;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-';
}

// scheme://user:password@host → scheme://user:***@host. Linear scan, no regex.
void RedactUserInfo(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find("://", pos)) != std::string::npos) {
    size_t b = pos;
    while (b > 0 && IsSchemeChar(s[b - 1])) --b;
    size_t i = pos + 3;
    if (b == pos) {
      pos = i;
      continue;
    }
    size_t user_end = i;
    while (user_end < s.size() && s[user_end] != ':' && s[user_end] != '/' && s[user_end] != '@' &&
           !IsBlank(s[user_end])) {
      ++user_end;
    }
    if (user_end >= s.size() || s[user_end] != ':') {
      pos = i;
      continue;
    }
    size_t pw_end = user_end + 1;
    while (pw_end < s.size() && s[pw_end] != '@' && s[pw_end] != '/' && !IsBlank(s[pw_end])) {
      ++pw_end;
    }
    if (pw_end < s.size() && s[pw_end] == '@') {
      s.replace(user_end + 1, pw_end - user_end - 1, "***");
      pos = user_end + 5;
    } else {
      pos = i;
    }
  }
}

// password=secret / sslpassword=secret in a query string or a libpq key-value string (quoted
// or not), case-insensitive.
void RedactPasswordParams(std::string& s) {
  size_t pos = 0;
  for (;;) {
    size_t hit = std::string::npos;
    for (size_t i = pos; i + 8 <= s.size(); ++i) {
      if ((s[i] == 'p' || s[i] == 'P') &&
          EqualsIgnoreCase(std::string_view(s).substr(i, 8), "password")) {
        hit = i;
        break;
      }
    }
    if (hit == std::string::npos) return;
    size_t key_begin = hit;
    if (key_begin >= 3 && EqualsIgnoreCase(std::string_view(s).substr(key_begin - 3, 3), "ssl")) {
      key_begin -= 3;
    }
    bool boundary = key_begin == 0 || s[key_begin - 1] == '?' || s[key_begin - 1] == '&' ||
                    IsBlank(s[key_begin - 1]);
    size_t i = hit + 8;
    while (i < s.size() && IsBlank(s[i])) ++i;
    if (!boundary || i >= s.size() || s[i] != '=') {
      pos = hit + 8;
      continue;
    }
    ++i;
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t v = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && s[i] != '&' && !IsBlank(s[i])) ++i;
    }
    s.replace(v, i - v, "***");
    pos = v + 3;
  }
}

inline char Fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

// Case-insensitive (ASCII) find of `needle`, which is lower case.
size_t FindFolded(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  char first = needle[0];
  for (size_t i = from, last = hay.size() - needle.size(); i <= last; ++i) {
    if (Fold(hay[i]) != first) continue;
    size_t k = 1;
    while (k < needle.size() && Fold(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

bool MayHoldUrlSecret(std::string_view t) {
  return t.find("://") != std::string_view::npos ||
         FindFolded(t, "assword") != std::string_view::npos;
}

std::string FoldAll(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Fold(c);
  return out;
}
}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string s(url);
  RedactUserInfo(s);
  RedactPasswordParams(s);
  return s;
}

void RegisterSecret(std::string value) {
  if (value.size() < 4) return;
  // Stored case-folded: a database may echo a value back in another case (an unknown
  // identifier is lower-cased in PostgreSQL's message).
  value = FoldAll(value);
  std::lock_guard<std::mutex> lock(SecretsMutex());
  auto& s = Secrets();
  if (std::find(s.begin(), s.end(), value) == s.end()) s.push_back(std::move(value));
}

bool MayHoldSecret(std::string_view text) {
  if (MayHoldUrlSecret(text)) return true;
  std::lock_guard<std::mutex> lock(SecretsMutex());
  for (const auto& secret : Secrets()) {
    if (FindFolded(text, secret) != std::string_view::npos) return true;
  }
  return false;
}

std::string RedactSecrets(std::string_view text) {
  std::string out = MayHoldUrlSecret(text) ? RedactUrl(text) : std::string(text);
  std::lock_guard<std::mutex> lock(SecretsMutex());
  for (const auto& secret : Secrets()) {
    size_t pos = 0;
    while ((pos = FindFolded(out, secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

}  // namespace strata::base
