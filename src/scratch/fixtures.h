// Data fixtures of `strata test` (docs/schema.md): db/migration-test/<version>/before.sql is
// loaded into the scratch database just before migration <version> runs, and expect.toml's
// checks are run just after it, so a backfill, correction or type change is tested on rows
// that look like production's, NULLs and duplicates included.
#pragma once

#include "strata/options.h"
#include "strata/result.h"
#include "strata/schema.h"

#include "db/connection.h"

#include <string>
#include <vector>

namespace strata::scratch {

struct Fixture {
  std::string version;  // the folder name: a migration's version
  std::string dir;
};

// The fixture folders under <project>/db/migration-test, in version order; none when absent.
Result<std::vector<Fixture>> FindFixtures(const Options& options);

// `strata test --from`: the version to build the scratch database up to — `from` itself when it
// is a migration's version, else the newest version that release `from` of db/releases.toml
// lists. Errors (kUsage) name what was looked for and list nothing-matching hints.
Result<std::string> FromTarget(const Options& options, const std::string& from);

// Runs before.sql (when present) on `conn`, statement by statement.
Status LoadBefore(db::Connection& conn, const Fixture& f);

// Runs expect.toml's [[check]] tables (query, expect, optional name) on `conn`; one step per
// check. kCheckFailed naming the first failed check, file:line:col.
Status RunExpect(db::Connection& conn, const Fixture& f, std::vector<TestStep>& steps, int& checks);

// pgTAP: every db/test/*.sql (name order) run on the migrated scratch database, each inside a
// transaction that is rolled back, its TAP lines read from the rows it returns; one step per
// file. No db/test folder: nothing. SQLite, or a server without the pgtap extension: one
// skipped step that says so. kCheckFailed when any file has a `not ok` line or fails.
Status RunPgTap(db::Connection& conn, const Options& options, std::vector<TestStep>& steps);

}  // namespace strata::scratch
