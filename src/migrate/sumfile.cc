#include "migrate/sumfile.h"

#include "base/file.h"
#include "base/hash64.h"
#include "base/sha256.h"
#include "base/text.h"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <map>

namespace strata::migrate {

namespace fs = std::filesystem;

namespace {
std::vector<const Migration*> InLocation(const MigrationSet& set, const std::string& loc) {
  std::vector<const Migration*> out;
  out.reserve(set.migrations.size());
  for (const auto& m : set.migrations) {
    if (m.location == loc) out.push_back(&m);
  }
  return out;
}

// The location's matching sum recorded in `cache`, if it still applies: see CheckSums.
const StatCache::Sum* RecordedMatch(const StatCache& cache, const std::string& path,
                                    const std::vector<const Migration*>& migrations) {
  for (const Migration* m : migrations) {
    if (m->text_read) return nullptr;  // read, not a cache hit: its checksum is checked in full
  }
  auto stamp = base::StampOf(path);
  if (!stamp) return nullptr;
  const StatCache::Sum* u = cache.FindSum(path, *stamp);
  return u && u->digest == SumDigest(migrations) ? u : nullptr;
}
}  // namespace

std::uint64_t SumDigest(const std::vector<const Migration*>& migrations) {
  base::Hash64 h;
  h.AddWord(migrations.size());
  for (const Migration* m : migrations) h.AddBytes(m->script).AddBytes(m->checksum);
  return h.value();
}

std::string RenderSum(const std::vector<const Migration*>& migrations) {
  // The cumulative sum is the SHA-256 of the body (every line, in order).
  std::string body;
  body.reserve(migrations.size() * 100);
  for (const Migration* m : migrations) {
    body.append(m->script).append(" ").append(m->checksum).append("\n");
  }
  return fmt::format("strata.sum v1 {}\n{}", base::Sha256Hex(body), body);
}

Result<std::vector<std::string>> WriteSums(const Options& options, const MigrationSet& set) {
  std::vector<std::string> written;
  for (const auto& loc : options.locations) {
    std::string path = (fs::path(loc) / kSumFileName).string();
    std::string why;
    if (!base::WriteFileAtomic(path, RenderSum(InLocation(set, loc)), &why)) {
      return Status(ErrorCode::kIo, fmt::format("cannot write {}: {}", path, why));
    }
    written.push_back(path);
  }
  return written;
}

Status CheckSums(const Options& options, const MigrationSet& set, const StatCache* cache,
                 StatCache::Seen* seen) {
  const bool caching = cache && cache->enabled();
  for (const auto& loc : options.locations) {
    std::string path = (fs::path(loc) / kSumFileName).string();
    const std::vector<const Migration*> migrations = InLocation(set, loc);
    if (caching) {
      // Nothing that decides the verdict changed since a run found the sum matching.
      if (const StatCache::Sum* u = RecordedMatch(*cache, path, migrations)) {
        if (seen) seen->sums.push_back(*u);
        continue;
      }
    }
    base::FileStamp stamp;
    auto text = base::ReadFile(path, nullptr, &stamp);
    if (!text) {
      return Status(ErrorCode::kSumMismatch, fmt::format("{} does not exist", path))
          .WithSpan({path, 0, 0})
          .WithHint(
              "run `strata hash` and commit strata.sum with the migrations (or set "
              "migrate.require_sum = false)");
    }
    std::string expected = RenderSum(migrations);
    std::string actual = base::NormalizeTextOwned(std::move(*text));
    if (actual == expected) {
      if (caching && seen) seen->sums.push_back({path, stamp, SumDigest(migrations)});
      continue;
    }
    // Explain the difference file by file.
    std::map<std::string, std::string> recorded, current;
    bool header_ok = false;
    int line_no = 0;
    for (auto line : base::SplitLines(actual)) {
      ++line_no;
      if (line_no == 1) {
        header_ok = line.substr(0, 13) == "strata.sum v1";
        continue;
      }
      auto sp = line.rfind(' ');
      if (sp == std::string_view::npos) continue;
      recorded[std::string(line.substr(0, sp))] = std::string(line.substr(sp + 1));
    }
    for (const Migration* m : migrations) current[m->script] = m->checksum;
    std::vector<std::string> diffs;
    for (const auto& [name, sum] : current) {
      auto it = recorded.find(name);
      if (it == recorded.end()) {
        diffs.push_back(fmt::format("added: {}", name));
      } else if (it->second != sum) {
        diffs.push_back(fmt::format("changed: {}", name));
      }
    }
    for (const auto& [name, sum] : recorded) {
      if (!current.count(name)) diffs.push_back(fmt::format("removed: {}", name));
    }
    if (!header_ok) diffs.insert(diffs.begin(), "the first line is not `strata.sum v1 <sha256>`");
    if (diffs.empty()) diffs.push_back("the cumulative sum on the first line was edited");
    return Status(ErrorCode::kSumMismatch, fmt::format("{} does not match the migration files ({})",
                                                       path, fmt::join(diffs, "; ")))
        .WithSpan({path, 0, 0})
        .WithHint(
            "another branch may have added a migration: review the files, renumber if "
            "two share a slot, then run `strata hash`");
  }
  return Status::Ok();
}

}  // namespace strata::migrate
