// Secret redaction. Every string a user can read (text, JSON, the ledger, evidence) passes
// through RedactSecrets before it is rendered, so call sites never have to remember.
// Thread-safe: the registry of extra secret values is guarded by a mutex.
#pragma once

#include <string>
#include <string_view>

namespace strata::base {

// Replaces the password in a connection URL ("postgres://u:pw@h/db" → "postgres://u:***@h/db")
// and the value of every parameter whose name, percent-decoded and ignoring case, ends in
// "password" (password, sslpassword, PGPASSWORD, ?%70assword=) in query, key-value or
// environment-assignment form. Keys are decoded because libpq decodes them.
std::string RedactUrl(std::string_view url);

// Decodes %XX escapes (RFC 3986); a '%' not followed by two hex digits is kept as is.
std::string PercentDecode(std::string_view s);

// Registers (RegisterSecret) every password a connection string carries, both as written and
// percent-decoded, so a database's message echoing the decoded value is redacted too: the
// userinfo password and the value of each password parameter.
void RegisterUrlSecrets(std::string_view url);

// Registers a value (a secret placeholder, a password from the environment) that must never be
// printed. Values shorter than 4 bytes are ignored (too likely to match ordinary text).
void RegisterSecret(std::string value);

// Redacts every URL-embedded password and every registered secret (matched ignoring ASCII
// case) in free text.
std::string RedactSecrets(std::string_view text);

// Whether RedactSecrets could change `text` (a cheap scan; false means it is safe as is).
bool MayHoldSecret(std::string_view text);

// Whether any value was registered (RegisterSecret, RegisterUrlSecrets). While none is, only
// URL-embedded passwords need redacting: a renderer may do that check in its own pass over a
// string (UrlSecretScan). Lock-free.
bool AnySecretRegistered();

// The test for a URL-embedded password that MayHoldSecret (and so RedactSecrets) applies — the
// text holds "://", "ssword" in any ASCII case, or both '%' and '=' — answered one byte at a
// time, for a writer that reads each string once anyway (lint's JSON writer). The only copy of
// that rule: MayHoldSecret runs it too. Feed Step every byte of the string for which
// Watched(c) holds, in order; holds() then answers for the whole string.
class UrlSecretScan {
 public:
  static constexpr bool Watched(unsigned char c) {
    return c == ':' || c == '%' || c == '=' || (c | 0x20) == 's';
  }
  // `s[i]` is a Watched byte of `s`.
  void Step(std::string_view s, size_t i) {
    switch (s[i]) {
      case ':':
        url_ = url_ || s.substr(i, 3) == "://";
        return;
      case '%':
        percent_ = true;
        return;
      case '=':
        equals_ = true;
        return;
      default:  // 's' or 'S': "ssword", ASCII case folded (`| 0x20` keeps only a letter's pair)
        if (url_ || i + 6 > s.size()) return;
        constexpr std::string_view kWord = "ssword";
        size_t k = 1;
        while (k < 6 && (static_cast<unsigned char>(s[i + k]) | 0x20) == kWord[k]) ++k;
        url_ = k == 6;
    }
  }
  bool holds() const { return url_ || (percent_ && equals_); }

 private:
  bool url_ = false, percent_ = false, equals_ = false;
};

}  // namespace strata::base
