// Checks a job against the live schema before any chunk runs: its SQL fragments are what
// their fields name in the target's dialect (CheckFragments), the table exists, the key and
// partition columns exist, and some unique, non-partial index (or the primary key / rowid)
// covers a subset of the key, so keyset order never skips or repeats a row. Not thread-safe.
#pragma once

#include "db/connection.h"

#include "backfill/job.h"

namespace strata::backfill {

// kConfig naming the job file and the field (`where`, `set`, ..., `table`, `key`,
// `partition_by`) on failure.
Status CheckSchema(db::Connection& conn, const JobSpec& job);

}  // namespace strata::backfill
