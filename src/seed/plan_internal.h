// Internal to src/seed: the per-table diff used by the seed commands.
#pragma once

#include "db/connection.h"

#include "seed/seed.h"

namespace strata::seed {

// Adds to `plan` the diff of table `t` of package `p` against the database: rows to insert,
// update, deprecate, delete, the unchanged count, and meaning-protection violations. Errors:
// the table or a column is missing (kValidation), a value does not fit its column (the
// database's error at the CSV line).
Status PlanTable(db::Connection& conn, const Package& p, const TableSpec& t, PackagePlan& plan);

}  // namespace strata::seed
