#include "migrate/stat_cache.h"

#include "strata/options.h"

#include "migrate/cache_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

namespace strata::migrate {

namespace {

constexpr std::string_view kHeader = "strata-stat-cache 1\n";

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

}  // namespace

StatCache StatCache::AtFile(std::string file) {
  StatCache c;
  c.entries_ = Parse(ReadOwnCacheFile(file));
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
  CacheKey key;
  key.Add(cwd);
  for (const auto& loc : options.locations) key.Add(loc);
  return AtFile(fmt::format("{}/files-{:016x}", dir, key.value()));
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
  (void)WriteCacheFile(file_, text);  // a failure costs a re-read next run
}

}  // namespace strata::migrate
