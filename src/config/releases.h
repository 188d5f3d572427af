// The release manifest (default db/releases.toml, [evidence] releases = "..."): which
// migrations ship together as a release, in which order the release is deployed, and what the
// team states about the compatibility surfaces beyond the database (seed 000 §24: API, events
// and replay, cache, workflow instances, decisions, read models, documents, audit).
// docs/formats/evidence.md describes it. Pure; thread-safe.
#pragma once

#include "strata/result.h"

#include <map>
#include <string>
#include <vector>

namespace strata::config {

struct ReleaseSpec {
  std::string name;
  std::string title;
  std::vector<std::string> migrations;  // versions ("5") or script names (R__x.sql)
  std::string order;                    // migration-before-app, app-before-migration, phased, ""
  std::vector<std::string> steps;       // deployment steps; "migrate" = apply this release's files
  std::map<std::string, std::string> surfaces;  // surface → "passed" / "not required because ..."
  std::string old_app;         // justification for old app × database after the release
  std::string new_app_before;  // justification for new app × database before the release
  // A directory (relative to the project) holding this release's migrations while they are
  // staged: written in advance but not in `locations` until the release is due (a contract
  // that must wait until the old app is gone).
  std::string location;
  int line = 0;
};

// The surfaces a release may state (seed 000 §2, §24), in display order.
const std::vector<std::string>& Surfaces();

// Reads the manifest. A missing file yields no releases. Errors (kConfig) name the file, the
// line and the key: unknown keys, an unknown surface, an unknown order, duplicate names or a
// migration listed in two releases.
Result<std::vector<ReleaseSpec>> LoadReleases(const std::string& path);

}  // namespace strata::config
