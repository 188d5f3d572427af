#include "base/redact.h"

#include "base/text.h"

#include <algorithm>
#include <atomic>
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
std::atomic<bool> g_any_secret{false};  // set once the first value is registered

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

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '%';
}

// Ends an unquoted parameter value: the next parameter, a blank, or a character a URL never
// holds unencoded but text around one does (quotes, a Markdown backtick, angle brackets).
bool EndsValue(char c) {
  return c == '&' || IsBlank(c) || c == '"' || c == '`' || c == '<' || c == '>';
}

// Whether a parameter name names a password once percent-decoded (libpq decodes the keys of
// a URL's query) and case-folded: password, sslpassword, PGPASSWORD, db_password ...
bool IsPasswordKey(std::string_view key) {
  std::string decoded = PercentDecode(key);
  constexpr std::string_view kSuffix = "password";
  if (decoded.size() < kSuffix.size()) return false;
  return EqualsIgnoreCase(std::string_view(decoded).substr(decoded.size() - kSuffix.size()),
                          kSuffix);
}

// key=secret where the key names a password (IsPasswordKey), in a URL's query string, a libpq
// key-value string (value quoted or not) or an environment assignment. The key starts the
// text or follows '?', '&', ';', a quote or a blank.
void RedactPasswordParams(std::string& s) {
  size_t pos = 0;
  while ((pos = s.find('=', pos)) != std::string::npos) {
    size_t key_end = pos;
    while (key_end > 0 && IsBlank(s[key_end - 1])) --key_end;
    size_t key_begin = key_end;
    while (key_begin > 0 && IsKeyChar(s[key_begin - 1])) --key_begin;
    bool boundary = key_begin == 0 || s[key_begin - 1] == '?' || s[key_begin - 1] == '&' ||
                    s[key_begin - 1] == ';' || s[key_begin - 1] == '"' ||
                    s[key_begin - 1] == '\'' || IsBlank(s[key_begin - 1]);
    if (key_begin == key_end || !boundary ||
        !IsPasswordKey(std::string_view(s).substr(key_begin, key_end - key_begin))) {
      ++pos;
      continue;
    }
    size_t i = pos + 1;
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t v = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
      if (i < s.size()) ++i;
    } else {
      while (i < s.size() && !EndsValue(s[i])) ++i;
    }
    if (i == v) {  // "password=" with no value
      pos = i;
      continue;
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
  UrlSecretScan scan;
  for (size_t i = 0; i < t.size(); ++i) {
    if (UrlSecretScan::Watched(static_cast<unsigned char>(t[i]))) scan.Step(t, i);
  }
  return scan.holds();
}

std::string FoldAll(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Fold(c);
  return out;
}
}  // namespace

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = HexValue(s[i + 1])) >= 0 &&
        (lo = HexValue(s[i + 2])) >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void RegisterUrlSecrets(std::string_view url) {
  // The password of scheme://user:password@host, as written and as libpq decodes it.
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    size_t begin = scheme + 3;
    size_t end = url.find_first_of("/?#", begin);
    std::string_view authority =
        url.substr(begin, end == std::string_view::npos ? end : end - begin);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = authority.substr(0, at);
      size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        std::string_view pw = userinfo.substr(colon + 1);
        RegisterSecret(std::string(pw));
        RegisterSecret(PercentDecode(pw));
      }
    }
  }
  // key=value parameters naming a password, in a query string or a key-value string.
  for (size_t pos = 0; (pos = url.find('=', pos)) != std::string_view::npos; ++pos) {
    size_t key_begin = pos;
    while (key_begin > 0 && IsKeyChar(url[key_begin - 1])) --key_begin;
    if (key_begin == pos || !IsPasswordKey(url.substr(key_begin, pos - key_begin))) continue;
    size_t v = pos + 1, i = v;
    if (i < url.size() && url[i] == '\'') {
      ++v;
      i = url.find('\'', v);
      if (i == std::string_view::npos) i = url.size();
    } else {
      while (i < url.size() && !EndsValue(url[i])) ++i;
    }
    std::string_view value = url.substr(v, i - v);
    RegisterSecret(std::string(value));
    RegisterSecret(PercentDecode(value));
  }
}

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
  g_any_secret.store(true, std::memory_order_release);
}

bool AnySecretRegistered() { return g_any_secret.load(std::memory_order_acquire); }

bool MayHoldSecret(std::string_view text) {
  if (MayHoldUrlSecret(text)) return true;
  if (!AnySecretRegistered()) return false;
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
