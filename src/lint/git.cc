#include "lint/git.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <set>

namespace strata::lint {

namespace {
std::string Quote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'')
      o += "'\\''";
    else
      o.push_back(c);
  }
  return o + "'";
}
}  // namespace

GitRunner SystemGit() {
  return [](const std::string& dir, const std::vector<std::string>& args) -> Result<std::string> {
    std::string cmd = "git -C " + Quote(dir);
    for (const auto& a : args) cmd += " " + Quote(a);
    cmd += " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return Status(ErrorCode::kIo, "cannot run git");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    if (rc != 0) {
      return Status(ErrorCode::kUsage, fmt::format("`git {}` failed", fmt::join(args, " ")));
    }
    return out;
  };
}

Result<std::vector<GitChange>> ChangedSince(const GitRunner& git, const std::string& dir,
                                            const std::string& ref) {
  namespace fs = std::filesystem;
  auto top = git(dir, {"rev-parse", "--show-toplevel"});
  if (!top) {
    return Status(ErrorCode::kUsage, fmt::format("{} is not inside a git work tree", dir))
        .WithHint("--since needs the migrations to be in a git repository");
  }
  std::string root = *top;
  while (!root.empty() && (root.back() == '\n' || root.back() == '\r')) root.pop_back();
  auto verify = git(dir, {"rev-parse", "--verify", "--quiet", ref + "^{commit}"});
  if (!verify) {
    return Status(ErrorCode::kUsage, fmt::format("unknown git ref `{}`", ref))
        .WithHint("give a branch, tag or commit, e.g. --since origin/main");
  }
  std::vector<GitChange> out;
  auto diff = git(dir, {"diff", "--name-status", "--no-renames", ref, "--", "."});
  if (!diff) return diff.error();
  size_t pos = 0;
  const std::string& d = *diff;
  while (pos < d.size()) {
    size_t nl = d.find('\n', pos);
    std::string line = d.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? d.size() : nl + 1;
    if (line.size() < 3) continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    GitChange c;
    c.status = line[0];
    if (c.status == 'D') continue;
    c.path = fs::weakly_canonical(fs::path(root) / line.substr(tab + 1)).string();
    out.push_back(c);
  }
  auto untracked = git(dir, {"ls-files", "--others", "--exclude-standard", "--full-name", "."});
  if (untracked) {
    const std::string& u = *untracked;
    pos = 0;
    while (pos < u.size()) {
      size_t nl = u.find('\n', pos);
      std::string line = u.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? u.size() : nl + 1;
      if (line.empty()) continue;
      out.push_back({fs::weakly_canonical(fs::path(root) / line).string(), 'A'});
    }
  }
  return out;
}

Status MarkChangedSince(const GitRunner& git, const std::vector<std::string>& paths,
                        const std::string& ref, std::vector<LintInput>& inputs) {
  namespace fs = std::filesystem;
  std::set<std::string> changed_paths;
  std::set<std::string> modified_paths;
  std::set<std::string> dirs;
  for (const auto& p : paths) {
    dirs.insert(fs::is_directory(p) ? p : fs::path(p).parent_path().string());
  }
  for (const auto& d : dirs) {
    STRATA_ASSIGN_OR_RETURN(auto changes, ChangedSince(git, d.empty() ? "." : d, ref));
    for (const auto& c : changes) {
      changed_paths.insert(c.path);
      if (c.status == 'M') modified_paths.insert(c.path);
    }
  }
  for (auto& in : inputs) {
    std::string abs = fs::weakly_canonical(in.path).string();
    if (!changed_paths.count(abs)) {
      in.pending = false;
    } else if (modified_paths.count(abs) && in.changed_after_apply.empty() && !in.repeatable) {
      in.changed_after_apply = fmt::format("modified since {}", ref);
    }
  }
  return Status::Ok();
}

}  // namespace strata::lint
