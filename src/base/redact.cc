#include "base/redact.h"

#include <algorithm>
#include <mutex>
#include <regex>
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

// scheme://user:password@  → keep scheme and user.
const std::regex& UserInfoRe() {
  static const std::regex re(R"(([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):([^@\s/]*)@)");
  return re;
}
// password=secret in a query string or a libpq key-value string (quoted or not).
const std::regex& PasswordParamRe() {
  static const std::regex re(
      R"(((?:^|[?&\s])(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*))",
      std::regex::icase);
  return re;
}
}  // namespace

std::string RedactUrl(std::string_view url) {
  std::string s(url);
  s = std::regex_replace(s, UserInfoRe(), "$1:***@");
  s = std::regex_replace(s, PasswordParamRe(), "$1***");
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
  // Fast path: nothing that looks like a URL password and no registered secrets.
  bool maybe_url = text.find("://") != std::string_view::npos ||
                   text.find("assword") != std::string_view::npos;
  out = maybe_url ? RedactUrl(text) : std::string(text);
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
