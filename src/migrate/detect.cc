#include "migrate/detect.h"

#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <system_error>

namespace strata::migrate {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxDepth = 5;
constexpr size_t kMaxEntries = 20'000;

bool SkippedDir(const std::string& name) {
  static const char* const kSkip[] = {".git",  "node_modules", "target", "build", "vendor",
                                      ".venv", "dist",         ".hg",    ".svn"};
  for (const char* s : kSkip) {
    if (name == s) return true;
  }
  return false;
}

// The first `n` bytes of a file ("" when unreadable).
std::string Head(const fs::path& p, size_t n = 512) {
  std::ifstream in(p, std::ios::binary);
  std::string out(n, '\0');
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

struct Found {
  std::string evidence;
  std::string location;
  int files = 0;
};

}  // namespace

std::vector<DetectedTool> DetectOtherTools(const std::string& dir,
                                           const std::vector<std::string>& locations_to_skip) {
  static const std::regex kFlywayName(R"(^V\d+([._]\d+)*__.+\.sql$)");
  static const std::regex kGoMigrateName(R"(^\d+_.+\.up\.sql$)");
  static const std::regex kDieselDir(R"(^\d[\d-]*_.+$)");
  static const std::regex kChangelog(R"(^db\.changelog.*\.(xml|ya?ml|json)$)", std::regex::icase);
  const fs::path root = dir.empty() ? fs::path(".") : fs::path(dir);
  std::vector<fs::path> skip;
  for (const auto& l : locations_to_skip) {
    std::error_code ec;
    fs::path p = fs::path(l).is_absolute() ? fs::path(l) : root / l;
    skip.push_back(fs::weakly_canonical(p, ec));
  }
  std::map<std::string, Found> found;  // tool -> first evidence
  auto note = [&](const std::string& tool, const fs::path& where, const std::string& what) {
    Found& f = found[tool];
    if (f.files++ == 0) {
      f.evidence = what;
      f.location = where.lexically_relative(root).lexically_normal().string();
      if (f.location.empty()) f.location = ".";
    }
  };
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  size_t seen = 0;
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++seen > kMaxEntries) break;
    const fs::directory_entry& e = *it;
    const fs::path& p = e.path();
    std::string name = p.filename().string();
    std::error_code sec;
    if (e.is_directory(sec)) {
      if (SkippedDir(name) || it.depth() >= kMaxDepth) {
        it.disable_recursion_pending();
        continue;
      }
      // Diesel: migrations/<version>_<name>/up.sql
      if (p.parent_path().filename() == "migrations" && std::regex_match(name, kDieselDir) &&
          fs::exists(p / "up.sql", sec)) {
        note("diesel", p.parent_path(),
             fmt::format("{}/up.sql", p.lexically_relative(root).string()));
      }
      continue;
    }
    if (!e.is_regular_file(sec)) continue;
    std::string rel = p.lexically_relative(root).string();
    if (name == "flyway.conf" || name == "flyway.toml") {
      note("flyway", p.parent_path(), rel);
      continue;
    }
    if (name == "sqitch.plan") {
      note("sqitch", p.parent_path(), rel);
      continue;
    }
    if (name == "diesel.toml") {
      note("diesel", p.parent_path() / "migrations", rel);
      continue;
    }
    if (std::regex_match(name, kChangelog)) {
      note("liquibase", p.parent_path(), rel);
      continue;
    }
    if (!name.ends_with(".sql")) continue;
    if (std::regex_match(name, kGoMigrateName)) {
      note("golang-migrate", p.parent_path(), rel);
      continue;
    }
    std::string head = Head(p);
    std::string_view h = base::Trim(head);
    if (base::StartsWithIgnoreCase(h, "--liquibase formatted sql") ||
        base::StartsWithIgnoreCase(h, "-- liquibase formatted sql")) {
      note("liquibase", p.parent_path(), rel);
      continue;
    }
    if (p.parent_path().filename() == "migrations" &&
        head.find("-- migrate:up") != std::string::npos) {
      note("dbmate", p.parent_path(), rel);
      continue;
    }
    if (std::regex_match(name, kFlywayName)) {
      fs::path parent = fs::weakly_canonical(p.parent_path(), sec);
      bool own = std::any_of(skip.begin(), skip.end(), [&](const fs::path& s) {
        auto r = parent.lexically_relative(s);
        return !r.empty() && *r.begin() != "..";
      });
      if (!own) note("flyway", p.parent_path(), rel);
    }
  }
  std::vector<DetectedTool> out;
  for (const char* tool : {"flyway", "golang-migrate", "dbmate", "diesel", "liquibase", "sqitch"}) {
    auto f = found.find(tool);
    if (f == found.end()) continue;
    DetectedTool d;
    d.tool = tool;
    d.evidence = f->second.files > 1
                     ? fmt::format("{} (and {} more)", f->second.evidence, f->second.files - 1)
                     : f->second.evidence;
    d.location = f->second.location;
    d.import_command = fmt::format("strata import --from {}", tool);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace strata::migrate
