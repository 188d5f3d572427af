// `strata test` from the previous release: the migration files as they were at a git tag, so
// the scratch database is built the way production was (docs/schema.md "From the previous
// release"). git is run as a program (`git archive <tag> -- <location> | tar -x`); libgit2 is
// not a dependency. Not thread-safe (runs child processes with the working directory given).
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <optional>
#include <string>
#include <vector>

namespace strata::scratch {

// Whether `project_dir` is inside a git work tree whose `ref` names a tag (refs/tags/<ref>).
bool IsGitTag(const std::string& project_dir, const std::string& ref);

// The newest tag reachable from HEAD (`git describe --tags --abbrev=0`); nullopt outside a git
// work tree, without git, or without tags.
std::optional<std::string> LastGitTag(const std::string& project_dir);

// The migration locations of `options` as they were at `tag`, written below `into` (which must
// exist), in the same layout relative to the repository's top. Returns one directory per
// location, in order; a location that did not exist at the tag is an empty directory. Errors
// (kIo, kUsage) name the tag, the location and the next step.
Result<std::vector<std::string>> LocationsAtTag(const Options& options, const std::string& tag,
                                                const std::string& into);

}  // namespace strata::scratch
