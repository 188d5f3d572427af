#include "migrate/stat_cache.h"

#include "strata/options.h"

#include "base/hash64.h"
#include "migrate/cache_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <type_traits>

namespace strata::migrate {

namespace {

// Version 2 added the `sum` lines.
constexpr std::string_view kHeader = "strata-stat-cache 2\n";
constexpr std::string_view kSumTag = "sum ";

// A decimal number followed by a space (consumed). Digit by digit: a cache of 1,000 files has
// 5,000 of them, and std::from_chars's generality costs twice as much here.
template <typename T>
bool Number(std::string_view& line, T& out) {
  size_t i = 0;
  bool negative = false;
  if constexpr (std::is_signed_v<T>) {
    negative = !line.empty() && line[0] == '-';
    i = negative ? 1 : 0;
  }
  const size_t first = i;
  std::uint64_t v = 0;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
    if (__builtin_mul_overflow(v, 10u, &v) ||
        __builtin_add_overflow(v, static_cast<unsigned>(line[i] - '0'), &v)) {
      return false;
    }
  }
  if (i == first || i == line.size() || line[i] != ' ') return false;
  if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return false;
  out = negative ? static_cast<T>(-static_cast<T>(v)) : static_cast<T>(v);
  line.remove_prefix(i + 1);
  return true;
}

bool Stamp(std::string_view& line, base::FileStamp& s) {
  return Number(line, s.dev) && Number(line, s.ino) && Number(line, s.size) &&
         Number(line, s.mtime_ns) && Number(line, s.ctime_ns);
}

}  // namespace

// Entries and sums of the cache file (views into text_, which no longer changes), or none when
// any line is malformed (the next save rewrites it).
void StatCache::Parse() {
  std::string_view text = *text_;
  if (!text.starts_with(kHeader)) return;
  text.remove_prefix(kHeader.size());
  // About 150 bytes a line: one allocation instead of a vector's doublings.
  entries_.reserve(text.size() / 128 + 1);
  auto bad = [this] {
    entries_.clear();
    sums_.clear();
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return bad();
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.starts_with(kSumTag)) {
      line.remove_prefix(kSumTag.size());
      Sum& u = sums_.emplace_back();
      if (!Stamp(line, u.stamp) || line.size() < 18 || line[16] != ' ') return bad();
      auto [q, err] = std::from_chars(line.data(), line.data() + 16, u.digest, 16);
      if (err != std::errc() || q != line.data() + 16) return bad();
      u.path.assign(line.substr(17));
      continue;
    }
    Record& e = entries_.emplace_back();
    if (!Stamp(line, e.stamp) || line.size() < 66 || line[64] != ' ') return bad();
    e.checksum = line.substr(0, 64);
    e.path = line.substr(65);
  }
  auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
  if (!std::is_sorted(entries_.begin(), entries_.end(), by_path)) {
    std::sort(entries_.begin(), entries_.end(), by_path);
  }
  std::sort(sums_.begin(), sums_.end(), by_path);
}

StatCache StatCache::AtFile(std::string file) {
  StatCache c;
  c.text_ = std::make_shared<const std::string>(ReadOwnCacheFile(file));
  c.Parse();
  c.file_ = std::move(file);
  return c;
}

StatCache StatCache::For(const Options& options) {
  if (!options.stat_cache) return {};
  std::string dir = CacheDir();
  if (dir.empty()) return {};
  // One cache per working directory and location list: discovery's paths are relative to both.
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return {};
  base::Hash64 key;  // the file's name: what it is for, not a secret
  key.AddBytes(cwd);
  for (const auto& loc : options.locations) key.AddBytes(loc);
  return AtFile(fmt::format("{}/files-{:016x}", dir, key.value()));
}

const StatCache::Record* StatCache::Lookup(std::string_view path, size_t* hint) const {
  if (hint) {
    for (size_t i = *hint; i < entries_.size() && i < *hint + 2; ++i) {
      if (entries_[i].path == path) {
        *hint = i;
        return &entries_[i];
      }
    }
  }
  auto it = std::lower_bound(entries_.begin(), entries_.end(), path,
                             [](const Record& e, std::string_view p) { return e.path < p; });
  if (it == entries_.end() || it->path != path) return nullptr;
  if (hint) *hint = static_cast<size_t>(it - entries_.begin());
  return &*it;
}

const std::string_view* StatCache::Find(std::string_view path, const base::FileStamp& stamp,
                                        size_t* hint) const {
  const Record* e = Lookup(path, hint);
  return e && e->stamp == stamp ? &e->checksum : nullptr;
}

const StatCache::Sum* StatCache::FindSum(std::string_view path,
                                         const base::FileStamp& stamp) const {
  for (const Sum& u : sums_) {
    if (u.path == path) return u.stamp == stamp ? &u : nullptr;
  }
  return nullptr;
}

bool StatCache::Settled(const base::FileStamp& stamp, std::int64_t now_ns) {
  const std::int64_t limit = now_ns - std::chrono::nanoseconds(kSettle).count();
  return stamp.mtime_ns < limit && stamp.ctime_ns < limit;
}

void StatCache::Save(std::vector<Entry> entries, std::vector<Sum> sums, std::int64_t now_ns) const {
  if (!enabled()) return;
  std::erase_if(entries, [&](const Entry& e) {
    return !Settled(e.stamp, now_ns) || e.checksum.size() != 64 ||
           e.path.find('\n') != std::string::npos;
  });
  // A sum file edited within the same clock tick as its read could keep its stamp: as for
  // entries, only a settled one is recorded.
  std::erase_if(sums, [&](const Sum& u) {
    return !Settled(u.stamp, now_ns) || u.path.find('\n') != std::string::npos;
  });
  auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
  std::sort(entries.begin(), entries.end(), by_path);
  std::sort(sums.begin(), sums.end(), by_path);
  std::string text(kHeader);
  text.reserve(entries.size() * 160);
  for (const auto& u : sums) {
    const base::FileStamp& s = u.stamp;
    fmt::format_to(std::back_inserter(text), "{}{} {} {} {} {} {:016x} {}\n", kSumTag, s.dev, s.ino,
                   s.size, s.mtime_ns, s.ctime_ns, u.digest, u.path);
  }
  for (const auto& e : entries) {
    const base::FileStamp& s = e.stamp;
    fmt::format_to(std::back_inserter(text), "{} {} {} {} {} {} {}\n", s.dev, s.ino, s.size,
                   s.mtime_ns, s.ctime_ns, e.checksum, e.path);
  }
  (void)WriteCacheFile(file_, text);  // a failure costs a re-read next run
}

void StatCache::Commit(Seen seen) const {
  if (!enabled()) return;
  // Recorded sums that this run no longer found matching, or new ones that can be recorded.
  std::erase_if(seen.sums, [&](const Sum& u) { return !Settled(u.stamp, seen.now_ns); });
  bool sums_changed = seen.sums.size() != sums_.size();
  for (const Sum& u : seen.sums) {
    const Sum* had = FindSum(u.path, u.stamp);
    sums_changed = sums_changed || !had || had->digest != u.digest;
  }
  if (!seen.entries_changed && sums_changed) {
    // The run's files are the recorded ones, unchanged (Seen::entries was left empty).
    seen.entries.reserve(entries_.size());
    for (const Record& r : entries_) {
      seen.entries.push_back({std::string(r.path), r.stamp, std::string(r.checksum)});
    }
  }
  if (seen.entries_changed || sums_changed) {
    Save(std::move(seen.entries), std::move(seen.sums), seen.now_ns);
  }
}

}  // namespace strata::migrate
