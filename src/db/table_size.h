// The one live table-size read: how many rows and bytes the tables a migration touches hold,
// for the size-sensitive lint rules (lint::ReadLiveInfo) and the runbook's sizes (plan).
// Reentrant; uses the caller's connection.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::db {

struct TableSize {
  std::string schema;  // PostgreSQL: the table's schema; SQLite: "main"
  std::string name;
  std::int64_t rows = -1;   // PostgreSQL: reltuples estimate; SQLite: count(*); -1 unknown
  std::int64_t bytes = -1;  // PostgreSQL: with indexes and TOAST; SQLite: -1
};

// PostgreSQL: every table, partitioned table and materialized view outside the system schemas
// (`table` empty), or the one visible on the search path named `table` (its last dotted part).
// Never waits for a lock: pg_total_relation_size takes ACCESS SHARE, which would queue behind an
// ACCESS EXCLUSIVE lock held or awaited by another session (a migration in progress), so such a
// table's bytes come from the catalog's page counts (as of its last VACUUM/ANALYZE) instead.
// SQLite: the exact row count of `table` when it exists (it must be named; nothing otherwise).
// Errors: the driver's, reading the catalog (PostgreSQL); SQLite read errors leave rows at -1.
Result<std::vector<TableSize>> ReadTableSizes(Connection& conn, std::string_view table = {});

}  // namespace strata::db
