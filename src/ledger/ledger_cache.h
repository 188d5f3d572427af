// The verified-ledger cache (PostgreSQL, `migrate` only): the rows of strata_schema_history as
// a run last read and verified them, with the fingerprint of the tuple versions they were read
// from, so that a later run which finds the same fingerprint takes the rows from the cache
// instead of reading and re-hashing every row. The stat cache (migrate/stat_cache.h) does the
// same for the migration files.
//
// The fingerprint is computed by the server, in the same statement as the rows it covers: the
// number of rows and the sum of a 64-bit hash of each row's (ctid, xmin, table oid), seeded
// with the server's start time (kTupleHashSql). Every INSERT, UPDATE or DELETE gives the rows
// it writes a new xmin (a DELETE removes a term; a DELETE and an identical re-INSERT has a new
// xmin), and TRUNCATE with new rows, a dump and restore or a new table give new xmins or another
// oid. VACUUM, freezing and pruning keep ctid and the raw xmin; VACUUM FULL and CLUSTER keep
// xmin and may move ctid, never the content. A fresh cluster or a restarted server has another
// start time. So a matching fingerprint means the very tuples the
// cached rows were verified from; anything else (a mismatch, an error, no file) is a full read,
// verified as always, exactly as without the cache.
//
// PostgreSQL 11 or later (hashtextextended). Only a ledger whose hash chain verified and whose
// rows all finished is recorded (an unfinished row may be another run's live progress). The
// anchors in strata_run are read on every run, with or without the cache (`strata tag` adds one
// without a ledger row).
//
// Where: the stat cache's directory (migrate/cache_file.h), one file `ledger-<hash>` per target
// (the redacted URL, never a password) and ledger table. Off with `migrate.stat_cache = false`
// or an empty STRATA_CACHE_DIR. Trust: that of the stat cache; a file that is not the user's
// own, that others can write, or that is damaged (its checksum trailer) is not read.
// Not thread-safe: one per run.
#pragma once

#include "db/connection.h"
#include "migrate/state.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
struct Options;
}

namespace strata::ledger {

// Each row's tuple-version hash, as the server computes it (a bigint). Frozen with the file
// format: a cache written with another expression never matches.
inline constexpr std::string_view kTupleHashSql =
    "hashtextextended(ctid::text || ':' || xmin::text || ':' || tableoid::text, "
    "(SELECT (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint))";

// A sum of up to 2^63 bigints, exactly (GCC's and Clang's 128-bit integer).
__extension__ typedef __int128 Int128;

// The tuple versions a read returned: how many rows and the sum of their kTupleHashSql.
struct TupleFingerprint {
  std::int64_t rows = 0;
  Int128 sum = 0;
  bool operator==(const TupleFingerprint&) const = default;
};
// The server's `count(*), sum(kTupleHashSql)` row (sum NULL on no rows); nullopt when malformed.
std::optional<TupleFingerprint> ParseFingerprint(std::span<const db::ValueView> row);

class LedgerCache {
 public:
  // A disabled cache: Ledger::ReadIfExists reads every row, Save writes nothing.
  LedgerCache() = default;
  // The cache of the ledger `options.ledger_schema`.`options.ledger_table` at `url`, loaded
  // from disk (nothing when absent, foreign or damaged); disabled when `url` is not
  // PostgreSQL, options.stat_cache is false or no cache directory can be named.
  static LedgerCache For(const Options& options, const db::DbUrl& url);
  // Whether For(options, url) would be enabled (nothing is read).
  static bool Wanted(const Options& options, const db::DbUrl& url);
  // The file For(options, url) reads ("" when not Wanted).
  static std::string FileFor(const Options& options, const db::DbUrl& url);
  // A cache kept in the file `file` (tests).
  static LedgerCache AtFile(std::string file);

  bool enabled() const { return !file_.empty(); }
  const std::string& file() const { return file_; }
  // Whether the file held a verified ledger (a fingerprint to compare).
  bool loaded() const { return loaded_.has_value(); }
  // Whether the last Ledger::ReadIfExists with this cache took its rows from it.
  bool hit() const { return hit_; }

  // Records `rows`, the rows the last Ledger::ReadIfExists with this cache returned (unchanged),
  // when that read was a full one that verified: no chain break, every row finished, at least
  // one row. Written atomically (temporary file, rename); a failure is ignored.
  void Save(const std::vector<migrate::AppliedRow>& rows) const;

  // The file's bytes for `rows` (exposed for tests) and back; Decode returns false on any
  // damage (wrong header, short, trailing bytes, a digest mismatch).
  struct Entry {
    TupleFingerprint fingerprint;
    bool started_column = false;  // the ledger has format 1.1's statement_started column
    std::vector<migrate::AppliedRow> rows;
  };
  static std::string Encode(const TupleFingerprint& fingerprint, bool started_column,
                            const std::vector<migrate::AppliedRow>& rows);
  static bool Decode(std::string_view bytes, Entry& entry);

 private:
  friend class Ledger;

  std::string file_;
  std::optional<Entry> loaded_;
  // Set by a full read that verified: its fingerprint and column shape, for Save.
  std::optional<TupleFingerprint> verified_;
  bool verified_started_column_ = false;
  bool hit_ = false;
};

}  // namespace strata::ledger
