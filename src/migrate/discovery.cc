#include "migrate/discovery.h"

#include "base/file.h"
#include "base/parallel.h"
#include "base/sha256.h"
#include "base/text.h"
#include "migrate/stat_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

namespace strata::migrate {

bool GlobMatch(std::string_view p, std::string_view s, bool ignore_case) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  auto eq = [ignore_case](char a, char b) {
    if (a == b) return true;
    return ignore_case && std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
  };
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || eq(p[pi], s[si]))) {
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

Status ReadWholeFile(const std::string& path, std::string& out, base::FileStamp* stamp = nullptr) {
  std::string why;
  auto bytes = base::ReadFile(path, &why, stamp);
  if (!bytes) {
    // base::ReadFile refuses FIFOs, devices and sockets (a link to /dev/zero, a named pipe)
    // and files over its size cap without reading them.
    std::string_view hint =
        why.starts_with("not a regular file")
            ? "a migration must be a regular file (a symbolic link to one is fine); remove it or "
              "add it to `ignore` in strata.toml"
        : why.starts_with("too large")
            ? "split the migration into smaller files; see docs/limits.md"
            : "check that the file exists and is readable by this user";
    return Status(ErrorCode::kIo, fmt::format("cannot read migration file '{}': {}", path, why))
        .WithSpan({path, 0, 0})
        .WithHint(std::string(hint));
  }
  out = std::move(*bytes);
  return Status::Ok();
}

std::string_view BaseName(std::string_view script) {
  size_t slash = script.rfind('/');
  return slash == std::string_view::npos ? script : script.substr(slash + 1);
}

// An ignore pattern, with the two common shapes ("strata.sum", "*.md") matched without
// GlobMatch's backtracking: the same answers, for a fraction of the work per file.
struct IgnorePattern {
  enum class Shape { kLiteral, kSuffix, kGlob };
  explicit IgnorePattern(std::string_view p) : text(p) {
    std::string_view rest = p.starts_with('*') ? p.substr(1) : p;
    if (rest.find_first_of("*?") == std::string_view::npos) {
      shape = rest.size() == p.size() ? Shape::kLiteral : Shape::kSuffix;
      literal = rest;
    }
  }
  bool Matches(std::string_view name) const {
    switch (shape) {
      case Shape::kLiteral:
        return name == literal;
      case Shape::kSuffix:
        return name.ends_with(literal);
      case Shape::kGlob:
        break;
    }
    return GlobMatch(text, name);
  }
  std::string_view text;
  Shape shape = Shape::kGlob;
  std::string_view literal;
};

bool Ignored(const std::vector<IgnorePattern>& patterns, std::string_view script) {
  std::string_view base = BaseName(script);
  const bool in_subdirectory = base.size() != script.size();
  for (const auto& p : patterns) {
    if (p.Matches(base) || (in_subdirectory && p.Matches(script))) return true;
  }
  return false;
}

// The locations' directories, open while their files are stat'ed (StampAt): a file's stamp
// then costs one name lookup instead of one per component of its path.
class LocationDirs {
 public:
  // Opens nothing when `stat_files` is false.
  LocationDirs(const std::vector<SourceFile>& files, bool stat_files) {
    for (const auto& f : files) {
      if (!stat_files) break;
      if (!dirs_.empty() && dirs_.back().first == f.location) continue;
      if (Find(f.location) != kNone) continue;
      dirs_.emplace_back(f.location,
                         open(f.location.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH));
    }
  }
  ~LocationDirs() {
    for (const auto& [loc, fd] : dirs_) {
      if (fd >= 0) close(fd);
    }
  }
  LocationDirs(const LocationDirs&) = delete;
  LocationDirs& operator=(const LocationDirs&) = delete;

  std::optional<base::FileStamp> StampOf(const SourceFile& f) const {
    int fd = Find(f.location);
    return fd >= 0 ? base::StampAt(fd, f.script) : base::StampOf(f.path);
  }

 private:
  static constexpr int kNone = -2;
  int Find(const std::string& location) const {
    for (const auto& [loc, fd] : dirs_) {
      if (loc == location) return fd;
    }
    return kNone;
  }
  std::vector<std::pair<std::string, int>> dirs_;  // location, O_PATH descriptor (or -1)
};

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

// Appends the files under `root` (recursively; directories whose name starts with '.' are
// skipped) to `out` as '/'-separated names relative to `root`. readdir's d_type says what an
// entry is, so only symbolic links and file systems without d_type cost a stat.
Status ListFiles(const std::string& root, std::vector<std::string>& out) {
  std::vector<std::string> dirs{""};  // relative, "" is root itself
  while (!dirs.empty()) {
    std::string rel = std::move(dirs.back());
    dirs.pop_back();
    std::string path = rel.empty() ? root : root + "/" + rel;
    DIR* dir = opendir(path.c_str());
    if (!dir) {
      return Status(ErrorCode::kIo,
                    fmt::format("cannot list '{}': {}", path, std::strerror(errno)));
    }
    errno = 0;
    while (const dirent* e = readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = e->d_type;
      struct stat st {};
      if (type == DT_UNKNOWN && fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
      }
      // A link to a file is read as the file; a link to a directory is not followed.
      if (type == DT_LNK && fstatat(dirfd(dir), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
        continue;
      }
      bool is_dir = type == DT_DIR;
      std::string child = rel.empty() ? std::string(name) : rel + "/" + std::string(name);
      if (is_dir) {
        if (name[0] != '.') dirs.push_back(std::move(child));
      } else {
        out.push_back(std::move(child));
      }
      errno = 0;
    }
    int read_error = errno;
    closedir(dir);
    if (read_error != 0) {
      return Status(ErrorCode::kIo,
                    fmt::format("cannot list '{}': {}", path, std::strerror(read_error)));
    }
  }
  return Status::Ok();
}

}  // namespace

namespace {

// The files of the locations, listed and filtered, unread: each location's in name order.
Result<std::vector<SourceFile>> ListSources(const std::vector<std::string>& locations,
                                            const std::vector<std::string>& ignore_patterns,
                                            std::vector<std::string>* ignored) {
  std::vector<SourceFile> out;
  const std::vector<IgnorePattern> patterns(ignore_patterns.begin(), ignore_patterns.end());
  for (const auto& loc : locations) {
    struct stat st {};
    if (stat(loc.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status(ErrorCode::kIo, fmt::format("migration location '{}' is not a directory", loc))
          .WithHint("create it, or set `locations` in strata.toml / --locations");
    }
    std::vector<std::string> names;
    STRATA_TRY(ListFiles(loc, names));
    std::sort(names.begin(), names.end());  // reproducible errors and ignored list
    std::string prefix = loc.empty() || loc.back() == '/' ? loc : loc + "/";
    out.reserve(out.size() + names.size());
    for (auto& rel : names) {
      if (Ignored(patterns, rel)) {
        if (ignored) ignored->push_back(std::move(rel));
        continue;
      }
      SourceFile& f = out.emplace_back();
      f.location = loc;
      f.path = prefix + rel;
      f.script = std::move(rel);
    }
  }
  return out;
}

// The name part of resolving a file: kind, version and description into `m`.
Status ParseName(const SourceFile& f, Migration& m) {
  std::string_view base = BaseName(f.script);
  if (!base.ends_with(".sql")) return BadName(f, "not a .sql file");
  std::string_view stem = base.substr(0, base.size() - 4);
  if (stem.empty()) return BadName(f, "it must start with V (versioned) or R (repeatable)");
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
    m.version = std::move(*v);
  } else if (stem[0] == 'R') {
    if (sep != 1) return BadName(f, "a repeatable migration is named R__<description>.sql");
    m.kind = Kind::kRepeatable;
  } else {
    return BadName(f, "it must start with V (versioned) or R (repeatable)");
  }
  std::string_view desc = stem.substr(sep + 2);
  if (base::Trim(desc).empty()) return BadName(f, "the description after '__' is empty");
  m.description = Describe(desc);
  return Status::Ok();
}

// The content part: UTF-8 check, normalisation, checksum of `bytes` (consumed) into `text` and
// `checksum`.
Status CheckContent(std::string_view script, const std::string& path, std::string& bytes,
                    std::string& text, std::string& checksum) {
  if (auto bad = base::FindInvalidUtf8(bytes)) {
    base::LineIndex li(bytes);
    return Status(ErrorCode::kEncoding,
                  fmt::format("'{}' is not valid UTF-8 (byte offset {})", script, *bad))
        .WithSpan({path, li.LineOf(*bad), li.ColumnOf(*bad)})
        .WithHint("re-save the file as UTF-8 (iconv -f LATIN1 -t UTF-8)");
  }
  // A NUL is valid UTF-8 but no database takes it in SQL text: libpq and SQLite read a
  // statement as a C string and would silently run only the part before it. Anywhere in the
  // file (a comment or COPY data too) it is refused before anything runs.
  if (size_t nul = bytes.find('\0'); nul != std::string::npos) {
    base::LineIndex li(bytes);
    return Status(ErrorCode::kEncoding,
                  fmt::format("'{}' contains a NUL byte (byte offset {})", script, nul))
        .WithSpan({path, li.LineOf(nul), li.ColumnOf(nul)})
        .WithHint(
            "remove it; write binary data as an escape instead (PostgreSQL '\\x00'::bytea, "
            "SQLite X'00')");
  }
  text = base::NormalizeTextOwned(std::move(bytes));
  checksum = base::Sha256Hex(text);
  return Status::Ok();
}

void TakeNames(SourceFile& f, Migration& m) {
  m.script = std::move(f.script);
  m.path = std::move(f.path);
  m.location = std::move(f.location);
}

// Orders resolved migrations (versioned by version, then repeatable by name) and refuses
// duplicates. `errors[i]` is the outcome of migrations[i]; the first failure in input order wins,
// as a sequential pass would report it.
Result<MigrationSet> Order(std::vector<Migration> migrations, std::vector<Status>& errors) {
  for (auto& e : errors) {
    if (!e.ok()) return std::move(e);
  }
  // Sort indices, not 200-byte migrations; ties keep input (name) order.
  std::vector<uint32_t> versioned, repeatable;
  for (uint32_t i = 0; i < migrations.size(); ++i) {
    (migrations[i].kind == Kind::kVersioned ? versioned : repeatable).push_back(i);
  }
  std::stable_sort(versioned.begin(), versioned.end(), [&](uint32_t a, uint32_t b) {
    return migrations[a].version < migrations[b].version;
  });
  std::stable_sort(repeatable.begin(), repeatable.end(), [&](uint32_t a, uint32_t b) {
    return migrations[a].script < migrations[b].script;
  });
  for (size_t i = 1; i < versioned.size(); ++i) {
    const Migration& prev = migrations[versioned[i - 1]];
    const Migration& m = migrations[versioned[i]];
    if (m.version == prev.version) {
      return Status(ErrorCode::kDuplicateVersion,
                    fmt::format("version {} is used by two files: '{}' and '{}'", m.version.text(),
                                prev.path, m.path))
          .WithSpan({m.path, 0, 0})
          .WithHint("give the newer file the next free version");
    }
  }
  for (size_t i = 1; i < repeatable.size(); ++i) {
    const Migration& prev = migrations[repeatable[i - 1]];
    const Migration& m = migrations[repeatable[i]];
    if (m.description == prev.description) {
      return Status(ErrorCode::kDuplicateVersion,
                    fmt::format("two repeatable migrations share the description '{}': '{}' and "
                                "'{}'",
                                m.description, prev.path, m.path))
          .WithSpan({m.path, 0, 0})
          .WithHint("rename one of them");
    }
  }
  MigrationSet set;
  set.migrations.reserve(migrations.size());
  for (uint32_t i : versioned) set.migrations.push_back(std::move(migrations[i]));
  for (uint32_t i : repeatable) set.migrations.push_back(std::move(migrations[i]));
  return set;
}

// Resolves every file on up to two threads: its name, then (if `read`, from disk) its content.
// Reading is most of a no-op run's time (open, fstat, read, close per file), so each file is
// hashed while its bytes are in cache. With a `cache`, a file whose stamp is unchanged since it
// was recorded is only stat'ed: its checksum comes from the cache and its text stays unread
// (LoadText). `seen` (with `cache`; its now_ns set) learns whether the cache should be
// rewritten and, only then, receives the stamp and checksum of every file read or found.
Result<MigrationSet> ResolveAll(std::vector<SourceFile> files, bool read,
                                const StatCache* cache = nullptr, StatCache::Seen* seen = nullptr) {
  std::vector<Migration> migrations(files.size());
  std::vector<Status> errors(files.size());
  std::vector<std::optional<base::FileStamp>> stamps(seen ? files.size() : 0);
  // A stat per file is too little work to pay for a second thread (and on two cores the
  // database side of the run needs the other one).
  const size_t per_thread = cache && cache->size() > 0 ? files.size() + 1 : kFilesPerThread;
  const LocationDirs dirs(files, cache && cache->size() > 0);
  base::ParallelFor(files.size(), per_thread, [&](size_t begin, size_t end) {
    size_t hint = 0;  // files come in path order within a location, as the cache's entries
    for (size_t i = begin; i < end; ++i) {
      Status& e = errors[i];
      SourceFile& f = files[i];
      Migration& m = migrations[i];
      e = ParseName(f, m);
      if (!e.ok()) continue;
      if (cache && cache->Has(f.path, &hint)) {
        auto stamp = dirs.StampOf(f);
        const std::string_view* sum = stamp ? cache->Find(f.path, *stamp, &hint) : nullptr;
        if (sum) {
          m.checksum = *sum;
          m.text_read = false;
          if (seen) stamps[i] = *stamp;
          TakeNames(f, m);
          continue;
        }
      }
      base::FileStamp stamp;
      if (read) e = ReadWholeFile(f.path, f.bytes, &stamp);
      if (e.ok()) e = CheckContent(f.script, f.path, f.bytes, m.text, m.checksum);
      if (e.ok() && read && seen) stamps[i] = stamp;
      TakeNames(f, m);
    }
  });
  if (seen) {
    // Rewritten only when this run read a file that can now be recorded, or when recorded
    // files went away or changed: an up-to-date run writes nothing (and copies nothing here).
    size_t hits = 0;
    bool fresh = false;
    for (size_t i = 0; i < stamps.size(); ++i) {
      if (!errors[i].ok() || !stamps[i]) continue;
      if (!migrations[i].text_read) {
        ++hits;
      } else {
        fresh = fresh || StatCache::Settled(*stamps[i], seen->now_ns);
      }
    }
    seen->entries_changed = fresh || hits != cache->size();
    if (seen->entries_changed) {
      for (size_t i = 0; i < stamps.size(); ++i) {
        if (errors[i].ok() && stamps[i]) {
          seen->entries.push_back({migrations[i].path, *stamps[i], migrations[i].checksum});
        }
      }
    }
  }
  return Order(std::move(migrations), errors);
}

}  // namespace

Result<std::vector<SourceFile>> ReadLocations(const std::vector<std::string>& locations,
                                              const std::vector<std::string>& ignore_patterns,
                                              std::vector<std::string>* ignored) {
  STRATA_ASSIGN_OR_RETURN(auto files, ListSources(locations, ignore_patterns, ignored));
  std::vector<Status> errors(files.size());
  base::ParallelFor(files.size(), kFilesPerThread, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) errors[i] = ReadWholeFile(files[i].path, files[i].bytes);
  });
  for (auto& e : errors) {
    if (!e.ok()) return std::move(e);  // the first in name order, as a sequential read
  }
  return files;
}

Result<MigrationSet> Resolve(std::vector<SourceFile> files) {
  std::vector<Callback> callbacks;
  STRATA_TRY(TakeCallbacks(files, /*read=*/false, callbacks));
  STRATA_ASSIGN_OR_RETURN(auto set, ResolveAll(std::move(files), /*read=*/false));
  set.callbacks = std::move(callbacks);
  return set;
}

Result<MigrationSet> Discover(const Options& options, const StatCache* cache,
                              StatCache::Seen* seen) {
  std::vector<std::string> ignored;
  STRATA_ASSIGN_OR_RETURN(auto files,
                          ListSources(options.locations, options.ignore_patterns, &ignored));
  std::vector<Callback> callbacks;
  STRATA_TRY(TakeCallbacks(files, /*read=*/true, callbacks));
  const bool caching = cache && cache->enabled();
  timespec now{};
  if (caching) clock_gettime(CLOCK_REALTIME, &now);
  StatCache::Seen here;
  StatCache::Seen& out = seen ? *seen : here;
  out.now_ns = static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
  STRATA_ASSIGN_OR_RETURN(auto set,
                          ResolveAll(std::move(files), /*read=*/true, caching ? cache : nullptr,
                                     caching ? &out : nullptr));
  set.ignored = std::move(ignored);
  set.callbacks = std::move(callbacks);
  if (caching && !seen) cache->Commit(std::move(here));
  return set;
}

Status TakeCallbacks(std::vector<SourceFile>& files, bool read, std::vector<Callback>& out) {
  // Flyway's events that strata does not run: named, so such a file is not "a bad name".
  static constexpr std::string_view kOtherFlywayEvents[] = {"beforeClean",
                                                            "afterClean",
                                                            "afterCleanError",
                                                            "beforeEachMigrateStatement",
                                                            "afterEachMigrateStatement",
                                                            "afterEachMigrateStatementError",
                                                            "afterEachMigrateError",
                                                            "beforeUndo",
                                                            "beforeEachUndo",
                                                            "afterEachUndo",
                                                            "afterEachUndoError",
                                                            "afterUndo",
                                                            "afterUndoError",
                                                            "beforeValidate",
                                                            "afterValidate",
                                                            "afterValidateError",
                                                            "beforeBaseline",
                                                            "afterBaseline",
                                                            "afterBaselineError",
                                                            "beforeRepair",
                                                            "afterRepair",
                                                            "afterRepairError",
                                                            "beforeInfo",
                                                            "afterInfo",
                                                            "afterInfoError",
                                                            "beforeConnect",
                                                            "afterConnect",
                                                            "beforeCreateSchema",
                                                            "createSchema"};
  size_t kept = 0;
  size_t first = out.size();
  for (size_t i = 0; i < files.size(); ++i) {
    SourceFile& f = files[i];
    std::string_view base = BaseName(f.script);
    std::string_view event;
    if (base.ends_with(".sql")) {
      std::string_view stem = base.substr(0, base.size() - 4);
      std::string_view head = stem.substr(0, stem.find("__"));
      for (std::string_view e : kCallbackEvents) {
        if (head == e) event = e;
      }
      if (event.empty()) {
        for (std::string_view e : kOtherFlywayEvents) {
          if (head == e) {
            return Status(
                       ErrorCode::kBadMigrationName,
                       fmt::format("'{}' is a Flyway `{}` callback, an event strata does not run",
                                   f.script, e))
                .WithSpan({f.path, 0, 0})
                .WithHint(fmt::format("strata runs {} callbacks; remove or rename the file, or add "
                                      "it to `ignore` in strata.toml",
                                      fmt::join(kCallbackEvents, ", ")));
          }
        }
      } else if (stem.size() > head.size() && base::Trim(stem.substr(head.size() + 2)).empty()) {
        return BadName(f, "the description after the callback's '__' is empty");
      }
      if (!event.empty()) {
        Callback c;
        c.event = std::string(event);
        if (stem.size() > head.size()) c.description = Describe(stem.substr(head.size() + 2));
        if (read) STRATA_TRY(ReadWholeFile(f.path, f.bytes));
        STRATA_TRY(CheckContent(f.script, f.path, f.bytes, c.text, c.checksum));
        c.script = std::move(f.script);
        c.path = std::move(f.path);
        c.location = std::move(f.location);
        out.push_back(std::move(c));
        continue;
      }
    }
    if (kept != i) files[kept] = std::move(f);
    ++kept;
  }
  files.resize(kept);
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                   [](const Callback& a, const Callback& b) {
                     return a.event != b.event ? a.event < b.event : a.script < b.script;
                   });
  return Status::Ok();
}

Status LoadText(Migration& m) {
  if (m.text_read) return Status::Ok();
  std::string bytes, text, checksum;
  STRATA_TRY(ReadWholeFile(m.path, bytes));
  STRATA_TRY(CheckContent(m.script, m.path, bytes, text, checksum));
  if (checksum != m.checksum) {
    return Status(ErrorCode::kIo,
                  fmt::format("migration file '{}' changed while strata was running", m.path))
        .WithSpan({m.path, 0, 0})
        .WithHint("run the command again once nothing is writing to the migration files");
  }
  m.text = std::move(text);
  m.text_read = true;
  return Status::Ok();
}

}  // namespace strata::migrate
