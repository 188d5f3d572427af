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

bool MayHoldUrlSecret(std::string_view t) {
  if (t.find("://") != std::string_view::npos) return true;
  for (size_t i = 0; i + 7 <= t.size(); ++i) {
    if ((t[i] == 'a' || t[i] == 'A') && EqualsIgnoreCase(t.substr(i, 7), "assword")) return true;
  }
  return false;
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
  std::lock_guard<std::mutex> lock(SecretsMutex());
  auto& s = Secrets();
  if (std::find(s.begin(), s.end(), value) == s.end()) s.push_back(std::move(value));
}

std::string RedactSecrets(std::string_view text) {
  std::string out;
  out = MayHoldUrlSecret(text) ? RedactUrl(text) : std::string(text);
  std::lock_guard<std::mutex> lock(SecretsMutex());
  for (const auto& secret : Secrets()) {
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

}  // namespace strata::base
