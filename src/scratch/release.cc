#include "scratch/release.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

namespace strata::scratch {
namespace {

namespace fs = std::filesystem;

std::string Quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

struct Ran {
  int code = -1;
  std::string out;  // standard output (and error, with both)
};

// Runs `cmd` with /bin/sh; standard error goes with the output when `both`, else away.
Ran Sh(const std::string& cmd, bool both = false) {
  Ran r;
  FILE* p = popen((cmd + (both ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r;
}

std::string Git(const std::string& dir) { return "git -C " + Quote(dir); }

}  // namespace

bool IsGitTag(const std::string& project_dir, const std::string& ref) {
  if (ref.empty() || ref.front() == '-') return false;
  return Sh(Git(project_dir) + " rev-parse --verify --quiet " + Quote("refs/tags/" + ref) +
            " >/dev/null")
             .code == 0;
}

std::optional<std::string> LastGitTag(const std::string& project_dir) {
  Ran r = Sh(Git(project_dir) + " describe --tags --abbrev=0 HEAD");
  if (r.code != 0 || r.out.empty()) return std::nullopt;
  return r.out;
}

Result<std::vector<std::string>> LocationsAtTag(const Options& options, const std::string& tag,
                                                const std::string& into) {
  Ran top = Sh(Git(options.project_dir) + " rev-parse --show-toplevel");
  if (top.code != 0 || top.out.empty()) {
    return Status(ErrorCode::kUsage, fmt::format("--from {}: {} is not inside a git work tree", tag,
                                                 options.project_dir))
        .WithHint("pass a migration's version or a release of db/releases.toml with --from");
  }
  std::error_code ec;
  fs::path root = fs::canonical(top.out, ec);
  if (ec) root = top.out;
  std::vector<std::string> out;
  for (const auto& loc : options.locations) {
    fs::path abs = fs::weakly_canonical(fs::path(options.project_dir) / loc, ec);
    fs::path rel = abs.lexically_relative(root);
    if (rel.empty() || rel.begin()->string() == "..") {
      return Status(ErrorCode::kUsage,
                    fmt::format("--from {}: the location {} is outside the git work tree {}", tag,
                                abs.string(), root.string()))
          .WithHint("keep the migrations in the repository, or pass a version with --from");
    }
    fs::path dest = fs::path(into) / rel;
    fs::create_directories(dest, ec);
    if (ec) {
      return Status(ErrorCode::kIo,
                    fmt::format("cannot create {}: {}", dest.string(), ec.message()));
    }
    out.push_back(dest.string());
    // Nothing there at the tag (the history started later): an empty location.
    Ran has = Sh(Git(root.string()) + " ls-tree -d --name-only " + Quote(tag) + " -- " +
                 Quote(rel.generic_string()));
    if (has.code != 0) {
      return Status(ErrorCode::kUsage, fmt::format("--from {}: git cannot read the tag", tag))
          .WithHint("check `git tag --list` in " + root.string());
    }
    if (has.out.empty()) continue;
    std::string tar = (fs::path(into) / ".strata-at-tag.tar").string();
    Ran ar = Sh(Git(root.string()) + " archive --format=tar -o " + Quote(tar) + " " + Quote(tag) +
                    " -- " + Quote(rel.generic_string()) + " && tar -x -f " + Quote(tar) + " -C " +
                    Quote(into),
                /*both=*/true);
    fs::remove(tar, ec);
    if (ar.code != 0) {
      return Status(ErrorCode::kIo, fmt::format("--from {}: cannot read {} at the tag: {}", tag,
                                                rel.generic_string(), ar.out))
          .WithHint("check that git and tar are installed and the tag exists");
    }
  }
  return out;
}

}  // namespace strata::scratch
