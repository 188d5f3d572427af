// `strata import`: another migration tool's history as strata's. Three steps, each a pure
// function of its input so each can be tested alone: ReadLayout reads the tool's files into
// ToolMigrations in the tool's order (converting each into what strata runs), AssignVersions
// gives each a strata version that sorts exactly as the tool sorts, and ReadHistory reads the
// tool's own table. Import() (include/strata/commands.h) checks all of it against each other
// before it writes anything. Stateless; thread-safe.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::import {

enum class Tool { kFlyway, kGolangMigrate, kDbmate, kDiesel, kLiquibase, kSqitch };
std::optional<Tool> ParseTool(std::string_view name);
std::string_view ToolName(Tool tool);
// The source path a tool uses when none is given, relative to the working directory.
std::vector<std::string> DefaultSources(Tool tool);

// One migration of the other tool, read from its files.
struct ToolMigration {
  std::string source;       // the file (for a Liquibase changeset: "<file>::<author>:<id>")
  std::string key;          // how the tool's table names it: version, change name, author:id
  std::string description;  // strata's description part of the file name
  bool repeatable = false;  // Flyway R__
  std::string text;         // what strata will run
  bool transactional = true;
  std::string checksum;  // the tool's checksum of the file, computed as the tool does; "" none
  std::vector<std::string> notes;  // what carrying it changed
  // Set by AssignVersions:
  std::string version;  // strata's version text ("" for repeatable)
  std::string script;   // strata's file name, relative to the location
};

struct Layout {
  std::string source;
  std::vector<ToolMigration> migrations;  // in the tool's order
  std::vector<std::string> not_carried;   // "<path>: <why>"
  std::string project;                    // sqitch: the plan's %project (its registry is shared)
};

// Reads the tool's migrations at `source` (a directory; for Liquibase also a changelog file;
// for sqitch the directory holding sqitch.plan). Errors: kIo (unreadable), kBadMigrationName
// (a file the tool itself would refuse, naming it), kDuplicateVersion (two files, one version).
Result<Layout> ReadLayout(Tool tool, const std::string& source);

// Fills version and script: Flyway keeps its file names; golang-migrate keeps its numbers;
// Diesel and dbmate keep their versions (Diesel without '-'), made to sort as the tool sorts
// them (as strings) when their lengths differ; Liquibase and sqitch, which have no versions,
// number their changes 1..n in changelog / plan order. Errors: kDuplicateVersion.
Status AssignVersions(Tool tool, std::vector<ToolMigration>& migrations);

// Maps version strings the tool compares as strings (sorted that way) to strata versions that
// compare as numbers in the same order: unchanged when all have one length; otherwise the
// first `shortest` digits, then ".1" + the rest for longer ones. nullopt when the mapping
// would not keep the order (the caller names the pair).
std::optional<std::vector<std::string>> StringOrderedVersions(const std::vector<std::string>& v);

// One applied migration in the tool's table.
struct ToolRow {
  std::string key;       // matches ToolMigration::key
  std::string checksum;  // as recorded; "" when the tool keeps none
  std::string applied_on;
  std::string applied_by;
  std::int64_t execution_time_ms = 0;
  bool success = true;
  std::string kind;   // Flyway's type (SQL, BASELINE, JDBC, ...), Liquibase's EXECTYPE
  std::string where;  // for messages: "flyway_schema_history installed_rank 3"
};

struct History {
  std::string table;  // the table read; "" when the tool's table does not exist
  std::vector<ToolRow> rows;
  // golang-migrate keeps one row: the version it reached and whether it stopped midway.
  std::optional<std::string> current_version;
  bool dirty = false;
};

// Reads the tool's table on `conn` (`table` overrides the tool's default name); for sqitch only
// the rows of `project` when it is not empty. Never writes.
Result<History> ReadHistory(Tool tool, db::Connection& conn, const std::string& table,
                            const std::string& project = {});

}  // namespace strata::import
