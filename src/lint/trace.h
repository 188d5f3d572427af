// Observed-lock traces (docs/trace.md): what `strata test` saw each statement of each migration
// do on a scratch PostgreSQL server (the table locks its backend held right after the
// statement, the tables it gave a new relfilenode, its duration). `strata test --trace FILE`
// writes one; `strata lint --trace FILE` reads it and uses the observations instead of the
// analyzer's predictions for the statements it covers (same file name and content).
// Plain functions over values; thread-safe.
#pragma once

#include "strata/result.h"
#include "strata/schema.h"

#include "analysis/facts.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace strata::lint {

inline constexpr std::string_view kTraceFormat = "strata-trace/1";

struct Trace {
  std::string server;  // "PostgreSQL 15.18"
  std::vector<ObservedMigration> migrations;
};

nlohmann::json TraceToJson(const Trace& trace);
// Reads a trace file. Errors: kIo (unreadable), kConfig (not JSON, or not this format) naming
// the file and the next step.
Result<Trace> ReadTrace(const std::string& path);

// The observation of statement `index` (0-based) of the file `script` whose normalised text
// has SHA-256 `sha256`, or nullptr.
const ObservedStatement* FindObserved(const Trace& trace, std::string_view script,
                                      std::string_view sha256, size_t index);

// "ACCESS EXCLUSIVE" → kAccessExclusive; kNone for "" or an unknown name.
analysis::LockMode LockModeFromName(std::string_view name);
// The model key of an observed "schema.name" ("name" for public).
std::string RelationKey(std::string_view relation);

// `facts` with the observation's lock on its target (the strongest mode the statement took on
// it; unchanged when it took none that was not already held), its rewrite, and the locks it
// took on other tables.
analysis::Facts ApplyObserved(const analysis::Facts& facts, const ObservedStatement& observed);

}  // namespace strata::lint
