#include "migrate/discovery.h"

#include "base/file.h"
#include "base/parallel.h"
#include "base/sha256.h"
#include "base/text.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace strata::migrate {

namespace fs = std::filesystem;

bool GlobMatch(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

namespace {

// Below this many files per extra thread, reading and hashing stay on the calling thread.
constexpr size_t kFilesPerThread = 64;

constexpr std::string_view kExpected =
    "expected V<version>__<description>.sql (e.g. V001__create_quote_core_tables.sql, "
    "V1.2__add_index.sql, V20260628_0901__add_column.sql) or R__<description>.sql";

Status ReadWholeFile(const std::string& path, std::string& out) {
  std::string why;
  auto bytes = base::ReadFile(path, &why);
  if (!bytes) {
    return Status(ErrorCode::kIo, fmt::format("cannot read migration file '{}': {}", path, why))
        .WithSpan({path, 0, 0})
        .WithHint("check that the file exists and is readable by this user");
  }
  out = std::move(*bytes);
  return Status::Ok();
}

bool Ignored(const std::vector<std::string>& patterns, const std::string& script) {
  std::string base = fs::path(script).filename().string();
  for (const auto& p : patterns) {
    if (GlobMatch(p, base) || GlobMatch(p, script)) return true;
  }
  return false;
}

Status BadName(const SourceFile& f, std::string what) {
  return Status(ErrorCode::kBadMigrationName,
                fmt::format("malformed migration file name '{}': {}", f.script, what))
      .WithSpan({f.path, 0, 0})
      .WithHint(std::string(kExpected) +
                "; or add a pattern to `ignore` in strata.toml if it is not a migration");
}

std::string Describe(std::string_view raw) {
  std::string d(raw);
  std::replace(d.begin(), d.end(), '_', ' ');
  return d;
}

}  // namespace

Result<std::vector<SourceFile>> ReadLocations(const std::vector<std::string>& locations,
                                              const std::vector<std::string>& ignore_patterns,
                                              std::vector<std::string>* ignored) {
  std::vector<SourceFile> out;
  for (const auto& loc : locations) {
    std::error_code ec;
    if (!fs::is_directory(loc, ec)) {
      return Status(ErrorCode::kIo, fmt::format("migration location '{}' is not a directory", loc))
          .WithHint("create it, or set `locations` in strata.toml / --locations");
    }
    // (relative name, full path): lexically_relative is a pure string operation, unlike
    // fs::relative, which resolves every path component with syscalls.
    std::vector<std::pair<std::string, fs::path>> paths;
    for (auto it = fs::recursive_directory_iterator(loc, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (it->is_directory(ec)) {
        if (!name.empty() && name[0] == '.') it.disable_recursion_pending();
        continue;
      }
      std::string rel = it->path().lexically_relative(loc).generic_string();
      if (Ignored(ignore_patterns, rel)) {
        if (ignored) ignored->push_back(rel);
        continue;
      }
      paths.emplace_back(std::move(rel), it->path());
    }
    if (ec) {
      return Status(ErrorCode::kIo, fmt::format("cannot list '{}': {}", loc, ec.message()));
    }
    // Reading is most of a no-op run's time (four syscalls per file): two threads halve it.
    size_t first = out.size();
    out.resize(first + paths.size());
    std::vector<Status> errors(paths.size());
    base::ParallelFor(paths.size(), kFilesPerThread, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        SourceFile& f = out[first + i];
        f.location = loc;
        f.script = std::move(paths[i].first);
        f.path = paths[i].second.string();
        errors[i] = ReadWholeFile(f.path, f.bytes);
      }
    });
    for (auto& e : errors) {
      if (!e.ok()) return std::move(e);  // the first in name order, as a sequential read
    }
  }
  return out;
}

Result<MigrationSet> Resolve(std::vector<SourceFile> files) {
  MigrationSet set;
  std::vector<Migration> versioned, repeatable;
  // The content work (UTF-8 check, normalisation, SHA-256) is independent per file.
  struct Content {
    std::optional<size_t> bad_utf8;
    std::string text, checksum;
  };
  std::vector<Content> content(files.size());
  base::ParallelFor(files.size(), kFilesPerThread, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Content& c = content[i];
      c.bad_utf8 = base::FindInvalidUtf8(files[i].bytes);
      if (c.bad_utf8) continue;
      c.text = base::NormalizeTextOwned(std::move(files[i].bytes));
      c.checksum = base::Sha256Hex(c.text);
    }
  });
  for (size_t i = 0; i < files.size(); ++i) {
    SourceFile& f = files[i];
    std::string base = fs::path(f.script).filename().string();
    if (base.size() < 4 || base.substr(base.size() - 4) != ".sql") {
      return BadName(f, "not a .sql file");
    }
    std::string stem = base.substr(0, base.size() - 4);
    Migration m;
    m.script = f.script;
    m.path = f.path;
    m.location = f.location;
    size_t sep = stem.find("__");
    if (stem[0] == 'v' || stem[0] == 'r') {
      return BadName(f, fmt::format("the prefix must be an upper-case '{}'",
                                    static_cast<char>(std::toupper(stem[0]))));
    }
    if (stem[0] == 'V') {
      if (sep == std::string::npos) {
        return BadName(f, "no '__' (two underscores) between version and description");
      }
      auto v = Version::Parse(stem.substr(1, sep - 1));
      if (!v) {
        return BadName(f, fmt::format("'{}' is not a version (numbers separated by . or _)",
                                      stem.substr(1, sep - 1)));
      }
      m.kind = Kind::kVersioned;
      m.version = *v;
    } else if (stem[0] == 'R') {
      if (sep != 1) return BadName(f, "a repeatable migration is named R__<description>.sql");
      m.kind = Kind::kRepeatable;
    } else {
      return BadName(f, "it must start with V (versioned) or R (repeatable)");
    }
    std::string desc = stem.substr(sep + 2);
    if (base::Trim(desc).empty()) return BadName(f, "the description after '__' is empty");
    m.description = Describe(desc);
    if (auto bad = content[i].bad_utf8) {
      base::LineIndex li(f.bytes);
      return Status(ErrorCode::kEncoding,
                    fmt::format("'{}' is not valid UTF-8 (byte offset {})", f.script, *bad))
          .WithSpan({f.path, li.LineOf(*bad), li.ColumnOf(*bad)})
          .WithHint("re-save the file as UTF-8 (iconv -f LATIN1 -t UTF-8)");
    }
    m.text = std::move(content[i].text);
    m.checksum = std::move(content[i].checksum);
    std::string().swap(f.bytes);
    (m.kind == Kind::kVersioned ? versioned : repeatable).push_back(std::move(m));
  }
  std::stable_sort(versioned.begin(), versioned.end(),
                   [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < versioned.size(); ++i) {
    if (versioned[i].version == versioned[i - 1].version) {
      return Status(
                 ErrorCode::kDuplicateVersion,
                 fmt::format("version {} is used by two files: '{}' and '{}'",
                             versioned[i].version.text(), versioned[i - 1].path, versioned[i].path))
          .WithSpan({versioned[i].path, 0, 0})
          .WithHint("give the newer file the next free version");
    }
  }
  std::stable_sort(repeatable.begin(), repeatable.end(),
                   [](const Migration& a, const Migration& b) { return a.script < b.script; });
  for (size_t i = 1; i < repeatable.size(); ++i) {
    if (repeatable[i].description == repeatable[i - 1].description) {
      return Status(
                 ErrorCode::kDuplicateVersion,
                 fmt::format("two repeatable migrations share the description '{}': '{}' and '{}'",
                             repeatable[i].description, repeatable[i - 1].path, repeatable[i].path))
          .WithSpan({repeatable[i].path, 0, 0})
          .WithHint("rename one of them");
    }
  }
  set.migrations = std::move(versioned);
  for (auto& r : repeatable) set.migrations.push_back(std::move(r));
  return set;
}

Result<MigrationSet> Discover(const Options& options) {
  std::vector<std::string> ignored;
  STRATA_ASSIGN_OR_RETURN(auto files,
                          ReadLocations(options.locations, options.ignore_patterns, &ignored));
  STRATA_ASSIGN_OR_RETURN(auto set, Resolve(std::move(files)));
  set.ignored = std::move(ignored);
  return set;
}

}  // namespace strata::migrate
