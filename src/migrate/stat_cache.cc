#include "migrate/stat_cache.h"

#include "strata/options.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <type_traits>

namespace strata::migrate {

namespace {

// Version 2 added the `sum` lines.
constexpr std::string_view kHeader = "strata-stat-cache 2\n";
constexpr std::string_view kSumTag = "sum ";

// $STRATA_CACHE_DIR (empty: off), else $XDG_CACHE_HOME/strata, else $HOME/.cache/strata.
std::string CacheDir() {
  if (const char* d = std::getenv("STRATA_CACHE_DIR")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') {
    return std::string(x) + "/strata";
  }
  if (const char* h = std::getenv("HOME"); h && *h == '/') return std::string(h) + "/.cache/strata";
  return "";
}

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

// The file's bytes if it is a regular file of this user that nobody else can write.
std::string ReadOwn(const std::string& file) {
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);  // a FIFO: no wait
  if (fd < 0) return "";
  std::string out;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
      (st.st_mode & (S_IWGRP | S_IWOTH)) == 0) {
    out.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out.size()) {
      ssize_t n = read(fd, out.data() + got, out.size() - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    out.resize(got);
  }
  close(fd);
  return out;
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
  c.text_ = std::make_shared<const std::string>(ReadOwn(file));
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
  // FNV-1a 64: a name, not a secret (and no SHA-256 start-up on the run's first hash).
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0xffU) * 0x100000001b3ULL;  // separator
  };
  mix(cwd);
  for (const auto& loc : options.locations) mix(loc);
  return AtFile(fmt::format("{}/files-{:016x}", dir, h));
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
  size_t slash = file_.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    // Like `mkdir -p -m 700` for the last two levels ($HOME/.cache may not exist yet).
    std::string dir = file_.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno == ENOENT) {
      size_t up = dir.rfind('/');
      if (up != std::string::npos && up > 0) mkdir(dir.substr(0, up).c_str(), 0700);
      mkdir(dir.c_str(), 0700);
    }
  }
  base::WriteFileAtomic(file_, text, nullptr, 0600);  // a failure costs a re-read next run
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
