// `strata new "<description>"`: the next migration file, its version in the project's own
// scheme, its body the intent-header template (docs/formats/intent-header.md) filled with what
// is known, and its line in strata.sum. Everything is checked before anything is written; the
// file is created exclusively and removed again if strata.sum cannot be written.
#include "strata/authoring.h"

#include "base/file.h"
#include "base/host.h"
#include "base/sha256.h"
#include "base/text.h"
#include "migrate/discovery.h"
#include "migrate/sumfile.h"
#include "migrate/version.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

namespace strata {

namespace fs = std::filesystem;

namespace {

Status BadDescription(std::string message, std::string hint) {
  return Status(ErrorCode::kUsage, std::move(message)).WithHint(std::move(hint));
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Lower-case ASCII letters and digits, other ASCII as one '_', UTF-8 letters kept.
std::string Slug(std::string_view d) {
  std::string out;
  for (char c : d) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u)) {
      out += u >= 0x80 ? c : static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// Decimal string + 1, keeping the width ("0007" -> "0008", "9" -> "10").
std::string Increment(std::string digits) {
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return digits;
    }
    digits[i] = '0';
  }
  return "1" + digits;
}

struct Parts {
  std::vector<std::string> numbers;
  std::vector<char> separators;  // between numbers
};
Parts Split(std::string_view raw) {
  Parts p;
  std::string cur;
  for (char c : raw) {
    if (c == '.' || c == '_') {
      p.numbers.push_back(cur);
      p.separators.push_back(c);
      cur.clear();
    } else {
      cur += c;
    }
  }
  p.numbers.push_back(cur);
  return p;
}
std::string Join(const Parts& p) {
  std::string out;
  for (size_t i = 0; i < p.numbers.size(); ++i) {
    if (i > 0) out += p.separators[i - 1];
    out += p.numbers[i];
  }
  return out;
}

// Whether the digits (separators removed) read as a UTC timestamp: YYYYMMDD[HH[MM[SS]]]...
bool LooksLikeTimestamp(const std::string& digits) {
  if (digits.size() < 8 || digits.size() > 17) return false;
  auto num = [&](size_t at, size_t n) { return std::stoi(digits.substr(at, n)); };
  int year = num(0, 4), month = num(4, 2), day = num(6, 2);
  if (year < 1990 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (digits.size() >= 10 && num(8, 2) > 23) return false;
  if (digits.size() >= 12 && num(10, 2) > 59) return false;
  return true;
}

// The version after `raw` (the version part of the newest file name, as written).
std::string NextVersion(const std::string& raw, std::string* scheme) {
  Parts p = Split(raw);
  std::string digits;
  for (const auto& n : p.numbers) digits += n;
  if (LooksLikeTimestamp(digits)) {
    *scheme = "timestamp";
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
    std::string stamp = buf;
    stamp.resize(digits.size(), '0');  // as many digits as the project writes
    Parts out = p;
    size_t at = 0;
    for (auto& n : out.numbers) {
      n = stamp.substr(at, n.size());
      at += n.size();
    }
    auto candidate = migrate::Version::Parse(Join(out));
    auto latest = migrate::Version::Parse(raw);
    if (candidate && latest && *latest < *candidate) return Join(out);
    // The clock is behind the newest file: one more than it, still strictly greater.
    p.numbers.back() = Increment(p.numbers.back());
    return Join(p);
  }
  if (p.numbers.size() > 1) {
    *scheme = "dotted";
  } else {
    *scheme = raw.size() > 1 && raw[0] == '0' ? "zero-padded sequence" : "sequence";
  }
  p.numbers.back() = Increment(p.numbers.back());
  return Join(p);
}

std::string Template(const NewRequest& r, std::string_view description) {
  std::string owner = base::OsUser();
  std::string t;
  if (r.no_transaction) {
    t += "-- strata:transaction off\n";
    t += "-- Each statement commits on its own (CREATE INDEX CONCURRENTLY, ...): keep them\n";
    t += "-- idempotent (IF NOT EXISTS); docs/formats/directives.md.\n";
  }
  t += "-- strata:intent\n";
  t += fmt::format("-- Business capability: {}\n", description);
  t += "-- Schema/data object affected:\n";
  t += "-- Application version dependency:\n";
  t += "-- Expected production effect:\n";
  t += "-- User-visible effect:\n";
  t += "-- Risk class:\n";
  t += "-- Recovery direction:\n";
  if (!owner.empty()) t += fmt::format("-- Owner: {}\n", owner);
  t += "--\n";
  t += "-- Fill in the lines above or delete the ones that do not apply (docs/formats/\n";
  t += "-- intent-header.md); Business capability, Risk class and Recovery direction are\n";
  t += "-- required. Risk class: small-additive-ddl, breaking-ddl, large-table-ddl,\n";
  t += "-- large-backfill, dml-correction, reference-data, stored-logic, security-grant, repair,\n";
  t += "-- baseline. Recovery direction: roll-forward, rollback or none.\n";
  t += "\n";
  return t;
}

Status CreateNew(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(ErrorCode::kIo, fmt::format("cannot create {}: {}", path, std::strerror(errno)))
        .WithHint(errno == EEXIST ? "strata new never overwrites a file" : "");
  }
  bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return Status(ErrorCode::kIo, fmt::format("cannot write {}", path));
  }
  return Status::Ok();
}

// strata.sum of `loc` with `added` in its place: the recorded lines stay as recorded (a file
// edited since the last `strata hash` is still reported), the new file's line is added.
Result<std::string> SumWith(const std::string& loc, const migrate::Migration& added,
                            const migrate::MigrationSet& set) {
  std::string path = (fs::path(loc) / std::string(migrate::kSumFileName)).string();
  auto text = base::ReadFile(path);
  std::vector<migrate::SourceFile> files;
  std::map<std::string, std::string> checksum;
  if (!text) {
    // No strata.sum yet: the files as they are (what `strata hash` would write).
    for (const auto& m : set.migrations) {
      if (m.location != loc) continue;
      files.push_back({loc, m.script, m.path, ""});
      checksum[m.script] = m.checksum;
    }
  } else {
    int line_no = 0;
    for (auto line : base::SplitLines(base::NormalizeText(*text))) {
      if (++line_no == 1 || line.empty()) continue;
      size_t sp = line.rfind(' ');
      if (sp == std::string_view::npos) continue;
      std::string script(line.substr(0, sp));
      files.push_back({loc, script, script, ""});
      checksum[script] = std::string(line.substr(sp + 1));
    }
  }
  files.push_back({loc, added.script, added.path, ""});
  checksum[added.script] = added.checksum;
  auto ordered = migrate::Resolve(std::move(files));
  if (!ordered) {
    return Status(ErrorCode::kSumMismatch, fmt::format("cannot add {} to {}: {}", added.script,
                                                       path, ordered.error().message()))
        .WithSpan({path, 0, 0})
        .WithHint("review the files and run `strata hash`");
  }
  std::vector<const migrate::Migration*> ms;
  for (auto& m : ordered->migrations) {
    m.checksum = checksum[m.script];
    ms.push_back(&m);
  }
  return migrate::RenderSum(ms);
}

}  // namespace

NewResult New(const Options& options, const NewRequest& request) {
  NewResult res;
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  std::string description(base::Trim(request.description));
  if (description.empty()) {
    return fail(BadDescription(
        "the description is empty",
        "say what the migration does: strata new \"add email to customer\" (it becomes the file "
        "name and the intent header's Business capability)"));
  }
  if (auto bad = base::FindInvalidUtf8(description)) {
    return fail(
        BadDescription(fmt::format("the description is not valid UTF-8 (byte offset {})", *bad),
                       "use UTF-8 text"));
  }
  if (description.find('\n') != std::string::npos || description.find('\r') != std::string::npos) {
    return fail(BadDescription("the description spans several lines",
                               "give one line; put the detail in the intent header"));
  }
  size_t chars = Utf8Chars(description);
  if (chars > kMaxDescriptionChars) {
    return fail(BadDescription(
        fmt::format("the description is {} characters; the limit is {} (it becomes the file "
                    "name)",
                    chars, kMaxDescriptionChars),
        "shorten it to a few words; put the detail in the intent header"));
  }
  std::string slug = Slug(description);
  if (slug.empty()) {
    return fail(BadDescription(
        fmt::format("the description '{}' has no letters or digits for the file name", description),
        "use words: strata new \"add email to customer\""));
  }
  if (options.locations.empty()) {
    return fail(Status(ErrorCode::kConfig, "no migration location is configured")
                    .WithHint("set `locations` in strata.toml"));
  }
  const std::string& loc = options.locations.front();
  std::error_code ec;
  if (!fs::is_directory(loc, ec)) {
    return fail(
        Status(ErrorCode::kIo, fmt::format("migration location '{}' is not a directory", loc))
            .WithHint("run `strata init` to start a project here, or set `locations` in "
                      "strata.toml / --locations"));
  }
  auto set = migrate::Discover(options);
  if (!set) return fail(set.error());

  std::string script;
  if (request.repeatable) {
    res.scheme = "repeatable";
    script = fmt::format("R__{}.sql", slug);
    std::string wanted = slug;  // as discovery reads it: '_' is a space
    std::replace(wanted.begin(), wanted.end(), '_', ' ');
    for (const auto& m : set->migrations) {
      if (m.kind == migrate::Kind::kRepeatable && m.description == wanted) {
        return fail(Status(ErrorCode::kDuplicateVersion,
                           fmt::format("a repeatable migration '{}' already exists: {}",
                                       m.description, m.path))
                        .WithSpan({m.path, 0, 0})
                        .WithHint("edit that file (a repeatable migration re-runs when it "
                                  "changes), or choose another description"));
      }
    }
  } else {
    const migrate::Migration* newest = nullptr;
    for (const auto& m : set->migrations) {
      if (m.kind == migrate::Kind::kVersioned) newest = &m;  // version order
    }
    if (!newest) {
      res.scheme = "first";
      res.version = "001";
    } else {
      std::string_view base = newest->script;
      if (size_t slash = base.rfind('/'); slash != std::string_view::npos) {
        base = base.substr(slash + 1);
      }
      std::string raw(base.substr(1, base.find("__") - 1));
      res.version = NextVersion(raw, &res.scheme);
    }
    script = fmt::format("V{}__{}.sql", res.version, slug);
  }
  std::string path = (fs::path(loc) / script).string();
  if (fs::exists(path, ec)) {
    return fail(Status(ErrorCode::kIo, fmt::format("{} already exists", path))
                    .WithSpan({path, 0, 0})
                    .WithHint("strata new never overwrites a file; choose another description"));
  }
  std::string body = Template(request, description);
  migrate::Migration added;
  added.script = script;
  added.path = path;
  added.location = loc;
  added.checksum = base::Sha256Hex(base::NormalizeText(body));
  // A sum that already differed from the files keeps differing: said, not silently accepted.
  Options only_loc;
  only_loc.locations = {loc};
  Status before = migrate::CheckSums(only_loc, *set);
  if (!before.ok() && before.code() == ErrorCode::kSumMismatch &&
      fs::exists(fs::path(loc) / std::string(migrate::kSumFileName), ec)) {
    res.warnings.push_back(
        fmt::format("{}; those lines were kept as recorded: review the files and run `strata hash`",
                    before.message()));
  }
  auto sum = SumWith(loc, added, *set);
  if (!sum) return fail(sum.error());

  if (Status s = CreateNew(path, body); !s.ok()) return fail(std::move(s));
  res.sum_path = (fs::path(loc) / std::string(migrate::kSumFileName)).string();
  std::string why;
  if (!base::WriteFileAtomic(res.sum_path, *sum, &why)) {
    ::unlink(path.c_str());
    return fail(Status(ErrorCode::kIo, fmt::format("cannot write {}: {}", res.sum_path, why))
                    .WithHint("nothing was written; check the directory's permissions"));
  }
  res.path = path;
  res.script = script;
  res.next_steps = {
      fmt::format("edit {}: fill in the intent header, write the SQL below it", path),
      "strata hash       # strata.sum records the file as you leave it",
      "strata migrate --dry-run",
      "strata migrate",
  };
  return res;
}

}  // namespace strata
