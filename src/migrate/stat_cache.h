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
// Where (migrate/cache_file.h): $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else
// $HOME/.cache/strata; one file per working directory and list of locations. Off with `migrate.stat_cache = false` or an empty
// STRATA_CACHE_DIR. A cache file that is not the user's own or that others can write is not
// read. Losing the cache costs one full read; writing it never fails a command.
#pragma once

#include "base/file.h"

#include <chrono>
#include <cstdint>
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

  // Whether there is an entry for `path` at all (a stat is worth making).
  bool Has(std::string_view path) const { return Lookup(path) != nullptr; }
  // The checksum recorded for `path` if the file still has `stamp`, else nullptr.
  const std::string* Find(std::string_view path, const base::FileStamp& stamp) const;

  // Whether a file with this stamp may be recorded: both its times are kSettle before `now_ns`
  // (CLOCK_REALTIME).
  static bool Settled(const base::FileStamp& stamp, std::int64_t now_ns);

  // Replaces the cache file with `entries` (this run's files; unsettled ones are dropped),
  // atomically (write, then rename). Errors are ignored: the cache is an optimisation.
  void Save(std::vector<Entry> entries, std::int64_t now_ns) const;

 private:
  const Entry* Lookup(std::string_view path) const;

  std::string file_;
  std::vector<Entry> entries_;  // sorted by path
};

}  // namespace strata::migrate
