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

namespace strata::migrate {

namespace {

constexpr std::string_view kHeader = "strata-stat-cache 1\n";

// $STRATA_CACHE_DIR (empty: off), else $XDG_CACHE_HOME/strata, else $HOME/.cache/strata.
std::string CacheDir() {
  if (const char* d = std::getenv("STRATA_CACHE_DIR")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') {
    return std::string(x) + "/strata";
  }
  if (const char* h = std::getenv("HOME"); h && *h == '/') return std::string(h) + "/.cache/strata";
  return "";
}

template <typename T>
bool Number(std::string_view& line, T& out) {
  auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), out);
  if (ec != std::errc() || p == line.data() + line.size() || *p != ' ') return false;
  line.remove_prefix(static_cast<size_t>(p - line.data()) + 1);
  return true;
}

// Entries of a cache file, or empty when any line is malformed (the next save rewrites it).
std::vector<StatCache::Entry> Parse(std::string_view text) {
  std::vector<StatCache::Entry> out;
  if (!text.starts_with(kHeader)) return out;
  text.remove_prefix(kHeader.size());
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    StatCache::Entry& e = out.emplace_back();
    base::FileStamp& s = e.stamp;
    if (!Number(line, s.dev) || !Number(line, s.ino) || !Number(line, s.size) ||
        !Number(line, s.mtime_ns) || !Number(line, s.ctime_ns) || line.size() < 66 ||
        line[64] != ' ') {
      return {};
    }
    e.checksum.assign(line.substr(0, 64));
    e.path.assign(line.substr(65));
  }
  if (!std::is_sorted(out.begin(), out.end(),
                      [](const auto& a, const auto& b) { return a.path < b.path; })) {
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  }
  return out;
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

StatCache StatCache::AtFile(std::string file) {
  StatCache c;
  c.entries_ = Parse(ReadOwn(file));
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

const StatCache::Entry* StatCache::Lookup(std::string_view path) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), path,
                             [](const Entry& e, std::string_view p) { return e.path < p; });
  return it != entries_.end() && it->path == path ? &*it : nullptr;
}

const std::string* StatCache::Find(std::string_view path, const base::FileStamp& stamp) const {
  const Entry* e = Lookup(path);
  return e && e->stamp == stamp ? &e->checksum : nullptr;
}

bool StatCache::Settled(const base::FileStamp& stamp, std::int64_t now_ns) {
  const std::int64_t limit = now_ns - std::chrono::nanoseconds(kSettle).count();
  return stamp.mtime_ns < limit && stamp.ctime_ns < limit;
}

void StatCache::Save(std::vector<Entry> entries, std::int64_t now_ns) const {
  if (!enabled()) return;
  std::erase_if(entries, [&](const Entry& e) {
    return !Settled(e.stamp, now_ns) || e.checksum.size() != 64 ||
           e.path.find('\n') != std::string::npos;
  });
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::string text(kHeader);
  text.reserve(entries.size() * 160);
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

}  // namespace strata::migrate
