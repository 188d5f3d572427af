// Detecting another migration tool's history in a project directory, so that `strata init`
// can propose `strata import --from <tool>` (and `import` can find the files). Reads names and
// the first bytes of .sql files only; bounded (a few thousand entries, a few levels deep);
// skips .git, node_modules, target, build and vendor directories. Stateless; thread-safe.
#pragma once

#include "strata/authoring.h"

#include <string>
#include <vector>

namespace strata::migrate {

// The tools found under `dir`, at most one entry per tool, in a fixed order (flyway,
// golang-migrate, dbmate, diesel, liquibase, sqitch). What counts:
// - flyway: flyway.conf / flyway.toml (also under conf/), or V<version>__<name>.sql files
// - golang-migrate: <digits>_<name>.up.sql files
// - dbmate: .sql files in db/migrations holding `-- migrate:up`
// - diesel: migrations/<version>_<name>/up.sql, or diesel.toml
// - liquibase: a .sql file that opens with `--liquibase formatted sql`, or a
//   db.changelog*.xml/yaml/yml/json
// - sqitch: sqitch.plan
// `locations_to_skip` (absolute or relative to `dir`) are strata's own locations: strata-named
// files there are strata's, not Flyway's.
std::vector<DetectedTool> DetectOtherTools(const std::string& dir,
                                           const std::vector<std::string>& locations_to_skip = {});

}  // namespace strata::migrate
