#include "ledger/ledger_cache.h"

#include "strata/options.h"

#include "base/hash64.h"
#include "migrate/cache_file.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace strata::ledger {

namespace {

using migrate::AppliedRow;

// Version 1: native byte order (the file never leaves the machine that wrote it), every string
// length-prefixed, a SHA-256 of everything before it at the end.
// Version 2: the trailer is Check64's, not a SHA-256 (whose one-time OpenSSL set-up cost the
// loader more than the whole rest of the load).
// Version 3: Check64 is base::Hash64 (FNV-1a over words let two flips of a word's top bit cancel).
constexpr std::string_view kHeader = "strata-ledger-cache 3\n";

// The trailer that tells a damaged file (a torn write, a bad disk). Not a MAC: whoever can write
// the file can forge it (ledger_cache.h, Trust).
std::uint64_t Check64(std::string_view bytes) { return base::Hash64().AddBytes(bytes).value(); }

enum RowFlag : std::uint8_t {
  kSuccess = 1,
  kVersion = 2,
  kChecksum = 4,
  kPrefixHash = 8,
  kReason = 16,
  kStarted = 32,
};

template <typename T>
void Put(std::string& out, T v) {
  char b[sizeof v];
  std::memcpy(b, &v, sizeof v);
  out.append(b, sizeof v);
}
void PutStr(std::string& out, std::string_view s) {
  Put(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// Reads from `in`, consuming it; every read fails (and keeps failing) once it runs short.
struct Reader {
  std::string_view in;
  bool ok = true;
  template <typename T>
  T Get() {
    T v{};
    if (!ok || in.size() < sizeof v) {
      ok = false;
      return v;
    }
    std::memcpy(&v, in.data(), sizeof v);
    in.remove_prefix(sizeof v);
    return v;
  }
  std::string Str() {
    auto n = Get<std::uint32_t>();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::optional<std::string> Opt(bool present) {
    return present ? std::optional<std::string>(Str()) : std::nullopt;
  }
};

bool ParseInt128(std::string_view s, Int128& out) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 37) return false;  // |sum| < 1000 * 2^63 fits in 37 digits
  Int128 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = neg ? -v : v;
  return true;
}

}  // namespace

std::optional<TupleFingerprint> ParseFingerprint(std::span<const db::ValueView> row) {
  if (row.size() < 2 || !row[0]) return std::nullopt;
  TupleFingerprint fp;
  auto [p, ec] = std::from_chars(row[0]->data(), row[0]->data() + row[0]->size(), fp.rows);
  if (ec != std::errc() || p != row[0]->data() + row[0]->size()) return std::nullopt;
  if (row[1] && !ParseInt128(*row[1], fp.sum)) return std::nullopt;
  return fp;
}

std::string LedgerCache::Encode(const TupleFingerprint& fingerprint, bool started_column,
                                const std::vector<AppliedRow>& rows) {
  std::string out(kHeader);
  out.reserve(out.size() + 64 + rows.size() * 400);
  Put(out, fingerprint.rows);
  Put(out, fingerprint.sum);
  Put(out, static_cast<std::uint8_t>(started_column));
  Put(out, static_cast<std::uint64_t>(rows.size()));
  for (const AppliedRow& r : rows) {
    std::uint8_t flags = (r.success ? kSuccess : 0) | (r.version ? kVersion : 0) |
                         (r.checksum ? kChecksum : 0) | (r.prefix_hash ? kPrefixHash : 0) |
                         (r.reason ? kReason : 0) | (r.statement_started ? kStarted : 0);
    Put(out, flags);
    Put(out, static_cast<std::int32_t>(r.rank));
    Put(out, r.execution_time_ms);
    Put(out, static_cast<std::int32_t>(r.statements_done));
    Put(out, static_cast<std::int32_t>(r.statement_started.value_or(0)));
    if (r.version) PutStr(out, *r.version);
    PutStr(out, r.description);
    PutStr(out, r.type);
    PutStr(out, r.script);
    if (r.checksum) PutStr(out, *r.checksum);
    PutStr(out, r.installed_by);
    PutStr(out, r.installed_on);
    if (r.prefix_hash) PutStr(out, *r.prefix_hash);
    if (r.reason) PutStr(out, *r.reason);
    PutStr(out, r.prev_hash);
    PutStr(out, r.row_hash);
  }
  const std::uint64_t check = Check64(out);
  out.append(reinterpret_cast<const char*>(&check), sizeof check);
  return out;
}

bool LedgerCache::Decode(std::string_view bytes, Entry& e) {
  std::uint64_t check = 0;
  if (!bytes.starts_with(kHeader) || bytes.size() < kHeader.size() + sizeof check) return false;
  std::string_view body = bytes.substr(0, bytes.size() - sizeof check);
  std::memcpy(&check, bytes.data() + body.size(), sizeof check);
  if (Check64(body) != check) return false;
  Reader in{body.substr(kHeader.size())};
  e.fingerprint.rows = in.Get<std::int64_t>();
  e.fingerprint.sum = in.Get<Int128>();
  e.started_column = in.Get<std::uint8_t>() != 0;
  auto n = in.Get<std::uint64_t>();
  if (!in.ok || n != static_cast<std::uint64_t>(e.fingerprint.rows) || n > in.in.size()) {
    return false;
  }
  e.rows.clear();
  e.rows.reserve(n);
  for (std::uint64_t i = 0; i < n && in.ok; ++i) {
    AppliedRow& r = e.rows.emplace_back();
    auto flags = in.Get<std::uint8_t>();
    r.success = flags & kSuccess;
    r.rank = in.Get<std::int32_t>();
    r.execution_time_ms = in.Get<std::int64_t>();
    r.statements_done = in.Get<std::int32_t>();
    auto started = in.Get<std::int32_t>();
    if (flags & kStarted) r.statement_started = started;
    r.version = in.Opt(flags & kVersion);
    r.description = in.Str();
    r.type = in.Str();
    r.script = in.Str();
    r.checksum = in.Opt(flags & kChecksum);
    r.installed_by = in.Str();
    r.installed_on = in.Str();
    r.prefix_hash = in.Opt(flags & kPrefixHash);
    r.reason = in.Opt(flags & kReason);
    r.prev_hash = in.Str();
    r.row_hash = in.Str();
  }
  return in.ok && in.in.empty();
}

LedgerCache LedgerCache::AtFile(std::string file) {
  LedgerCache c;
  std::string bytes = migrate::ReadOwnCacheFile(file);
  if (Entry e; !bytes.empty() && Decode(bytes, e)) c.loaded_ = std::move(e);
  c.file_ = std::move(file);
  return c;
}

bool LedgerCache::Wanted(const Options& options, const db::DbUrl& url) {
  return options.stat_cache && url.dialect == db::Dialect::kPostgres &&
         !migrate::CacheDir().empty();
}

std::string LedgerCache::FileFor(const Options& options, const db::DbUrl& url) {
  if (!Wanted(options, url)) return "";
  base::Hash64 key;  // the file's name: what it is for, not a secret
  key.AddBytes(url.redacted).AddBytes(options.ledger_schema).AddBytes(options.ledger_table);
  return fmt::format("{}/ledger-{:016x}", migrate::CacheDir(), key.value());
}

LedgerCache LedgerCache::For(const Options& options, const db::DbUrl& url) {
  std::string file = FileFor(options, url);
  if (file.empty()) return {};
  return AtFile(std::move(file));
}

void LedgerCache::Save(const std::vector<AppliedRow>& rows) const {
  if (!enabled() || !verified_ || rows.empty() ||
      static_cast<std::int64_t>(rows.size()) != verified_->rows) {
    return;
  }
  // A failure costs a full read next run.
  (void)migrate::WriteCacheFile(file_, Encode(*verified_, verified_started_column_, rows));
}

}  // namespace strata::ledger
