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
// string. Lock-free.
bool AnySecretRegistered();

}  // namespace strata::base
