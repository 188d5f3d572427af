// Change-awareness for `strata lint --since <ref>`: which files under the given paths were added
// or modified since a git ref, and the content a file had at that ref (to flag edits of
// migrations that were already merged, i.e. may be applied somewhere). Runs `git` as a child
// process in the file's directory; a seam (GitRunner) lets tests fake it. Thread-compatible.
#pragma once

#include "strata/result.h"

#include "lint/linter.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strata::lint {

// Runs `git <args>` in `dir`; returns stdout, or an error when git fails.
using GitRunner = std::function<Result<std::string>(const std::string& dir,
                                                    const std::vector<std::string>& args)>;
GitRunner SystemGit();

struct GitChange {
  std::string path;   // absolute
  char status = 'M';  // 'A' added, 'M' modified, 'R' renamed
};

// Files changed since `ref` (committed or in the working tree, plus untracked) under `dir`.
// Errors: kUsage when `ref` is unknown or `dir` is not in a git work tree.
Result<std::vector<GitChange>> ChangedSince(const GitRunner& git, const std::string& dir,
                                            const std::string& ref);

// `strata lint --since <ref>`: under `paths` (the files and directories linted), an input not
// added or changed since `ref` becomes context (not pending); a modified one that is neither
// flagged already nor repeatable is flagged "modified since <ref>" (it may be applied
// somewhere). Errors: ChangedSince's.
Status MarkChangedSince(const GitRunner& git, const std::vector<std::string>& paths,
                        const std::string& ref, std::vector<LintInput>& inputs);

}  // namespace strata::lint
