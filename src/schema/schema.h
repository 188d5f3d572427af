// The schema library's entry points for other libraries: the schema file written after a
// migrate, and the drift comparison on an open connection. The verbs themselves (SchemaDump,
// Drift) are declared in include/strata/schema.h.
#pragma once

#include "strata/options.h"
#include "strata/result.h"
#include "strata/schema.h"

#include "db/connection.h"

#include <string>
#include <vector>

#include "schema/model.h"

namespace strata::schema {

InspectOptions InspectOptionsFor(const Options& options);

// Writes the live schema to options.schema_file (when set) unless it already holds exactly
// that text. `applied_something`: migrate calls it after every run; an up-to-date run writes
// only a missing file.
Status WriteSchemaFile(db::Connection& conn, const Options& options, bool applied_something);

// The expected side of a drift check from a schema file: PostgreSQL's is read as written;
// SQLite's is loaded into an in-memory database and inspected there, like the live side.
Result<Snapshot> LoadSchemaFile(const std::string& path, const InspectOptions& inspect);

// `expected` against the live database on `conn`: the differences, in canonical order.
Result<std::vector<DriftItem>> DriftAgainst(db::Connection& conn, const Snapshot& expected,
                                            const InspectOptions& inspect, int* compared);

// The status a drift verdict ends with: ok, or kDrift naming the count and `against`.
Status DriftStatus(const std::vector<DriftItem>& items, const std::string& against);

}  // namespace strata::schema
