// The stat cache: each migration file's checksum with the stamp (inode, size, mtime, ctime) the
// file had when it was read, so that a later run which finds the stamp unchanged can take the
// checksum without reading and hashing the file. git's index does the same for a working tree.
//
// Only `migrate` uses it; `validate` and every other verb read every byte. An up-to-date
// `migrate` of 1,000 files then costs one stat per file instead of open, fstat, read, close and
// a SHA-256. An edit moves ctime (user space cannot set it back) and usually size and mtime; a
// replaced file has a new inode. A file is recorded only once its times are kSettle in the past,
// so an edit within the same clock tick as the read cannot hide (git's "racy" entries).
//
// It also records each location's strata.sum that a run found matching (Sum): the sum file's
// stamp and a digest of the (script, checksum) list it matched (SumDigest). A later run whose
// sum file has the same stamp, whose migrations in that location are all unchanged entries
// (stat hits) and whose list has the same digest takes that verdict without reading, rendering
// or hashing anything (CheckSums); anything else and the sum is checked in full. The same
// settle rule applies to the sum file.
//
// Where (migrate/cache_file.h): $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else
// $HOME/.cache/strata; one file per working directory and list of locations. Off with
// `migrate.stat_cache = false` or an empty
// STRATA_CACHE_DIR. A cache file that is not the user's own or that others can write is not
// read. Losing the cache costs one full read; writing it never fails a command.
#pragma once

#include "base/file.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
struct Options;
}

namespace strata::migrate {

class StatCache {
 public:
  // How far in the past a file's mtime and ctime must be for it to be recorded.
  static constexpr std::chrono::seconds kSettle{2};

  struct Entry {
    std::string path;  // as discovery names it (location prefix + script)
    base::FileStamp stamp;
    std::string checksum;
  };

  // A location's strata.sum (path as CheckSums names it) with the stamp it had when a run read
  // it and found it matching the location's migrations, whose (script, checksum) list, in set
  // order, has `digest` (migrate::SumDigest).
  struct Sum {
    std::string path;
    base::FileStamp stamp;
    std::uint64_t digest = 0;
    bool operator==(const Sum&) const = default;
  };

  // What one `migrate` run saw, written back at its end (Commit): Discover fills the entries,
  // CheckSums the sums.
  struct Seen {
    std::vector<Entry> entries;    // every migration stat'ed or read, with its checksum
    std::vector<Sum> sums;         // every sum file found matching
    std::int64_t now_ns = 0;       // CLOCK_REALTIME before the first file was looked at
    bool entries_changed = false;  // a fresh entry can be recorded, or recorded ones went away
                                   // (`entries` is filled only then: else they are the cache's)
  };

  // A disabled cache: Find finds nothing, Save writes nothing.
  StatCache() = default;
  // The cache for `options`' locations, loaded from disk (empty when absent or unreadable);
  // disabled when options.stat_cache is false or no cache directory can be named.
  static StatCache For(const Options& options);
  // A cache kept in the file `file` (tests).
  static StatCache AtFile(std::string file);

  bool enabled() const { return !file_.empty(); }
  const std::string& file() const { return file_; }
  size_t size() const { return entries_.size(); }
  size_t sum_count() const { return sums_.size(); }

  // Whether there is an entry for `path` at all (a stat is worth making).
  // `hint` (optional, start at 0) keeps where the last lookup ended: looking paths up in sorted
  // order, as discovery does, then costs a comparison or two instead of a binary search.
  bool Has(std::string_view path, size_t* hint = nullptr) const {
    return Lookup(path, hint) != nullptr;
  }
  // The checksum recorded for `path` if the file still has `stamp`, else nullptr. Valid while
  // the cache (or a copy of it) lives.
  const std::string_view* Find(std::string_view path, const base::FileStamp& stamp,
                               size_t* hint = nullptr) const;

  // The recorded verdict for the sum file `path` if it still has `stamp`, else nullptr.
  const Sum* FindSum(std::string_view path, const base::FileStamp& stamp) const;

  // Whether a file with this stamp may be recorded: both its times are kSettle before `now_ns`
  // (CLOCK_REALTIME).
  static bool Settled(const base::FileStamp& stamp, std::int64_t now_ns);

  // Replaces the cache file with `entries` (this run's files) and `sums` (this run's matching
  // sum files); unsettled ones are dropped. Atomic (write, then rename). Errors are ignored:
  // the cache is an optimisation.
  void Save(std::vector<Entry> entries, std::vector<Sum> sums, std::int64_t now_ns) const;
  void Save(std::vector<Entry> entries, std::int64_t now_ns) const {
    Save(std::move(entries), {}, now_ns);
  }
  // Saves what a run saw when it differs from the cache (an up-to-date run writes nothing).
  void Commit(Seen seen) const;

 private:
  // An entry as loaded: views into text_ (no allocation per entry).
  struct Record {
    std::string_view path;
    base::FileStamp stamp;
    std::string_view checksum;
  };
  const Record* Lookup(std::string_view path, size_t* hint = nullptr) const;
  void Parse();

  std::string file_;
  std::shared_ptr<const std::string> text_;  // the cache file's bytes
  std::vector<Record> entries_;              // sorted by path
  std::vector<Sum> sums_;                    // sorted by path
};

}  // namespace strata::migrate
