// A backfill job file (db/backfill/<name>.toml, format in docs/formats/backfill-job.md): what to
// change (table, key, candidate predicate, SET, optional FROM/join), how fast (chunk size or
// target duration, max rows per second, timeouts, replica lag), how much failure to tolerate
// and how to verify the result. ParseJob validates everything that can be checked without a
// database; every error names the file, line, column and field. Pure; thread-safe.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata::backfill {

using Millis = std::chrono::milliseconds;

// What a job does to each candidate row.
enum class JobKind {
  kUpdate,  // UPDATE ... SET <set> (the default)
  kDelete,  // DELETE: purges and retention, in chunks instead of one long statement
};
// "update" / "delete", as written in the job file and shown by plan and status.
const char* KindName(JobKind kind);

struct JobSpec {
  std::string name;      // the job key: file stem, [A-Za-z0-9_.-]{1,120}
  std::string path;      // the file as given
  std::string checksum;  // SHA-256 of the normalised file text
  std::string description;

  JobKind kind = JobKind::kUpdate;
  std::string table;             // target table, optionally schema-qualified
  std::vector<std::string> key;  // unique, orderable key columns (keyset order)
  std::string where;             // candidate predicate: rows that still need the change
  std::string set;               // the SET list (update jobs; empty for delete jobs)
  std::string from;              // optional FROM list (joined tables)
  std::string join;              // join condition, required with `from`
  std::string partition_by;      // optional column: per-partition progress, round robin

  // [chunk]
  std::int64_t chunk_size = 1000;  // initial (and fixed, without target_duration) rows per chunk
  Millis target_duration{0};       // adaptive sizing target; 0 = fixed size
  std::int64_t min_chunk_size = 10;
  std::int64_t max_chunk_size = 50'000;
  // Chunk transactions run side by side (PostgreSQL; SQLite has one writer: always 1). A work
  // queue: the runner's own connection cuts ranges of `size` candidates ahead (`workers` at a
  // time) and moves the checkpoint; one connection per worker takes the next range as soon as
  // its last one committed; the checkpoint moves past the ranges that all committed, lowest
  // first (runner.cc, RunQueue). A partitioned job cuts `workers` ranges per chunk of a
  // partition and the runner changes the first itself, the checkpoint moving once all committed.
  int workers = 4;

  // [throttle]
  double max_rows_per_second = 0;    // 0 = unlimited
  Millis lock_timeout{2'000};        // per chunk (PostgreSQL)
  Millis statement_timeout{60'000};  // per chunk (PostgreSQL)
  Millis max_replica_lag{0};         // 0 = not gated (PostgreSQL)
  std::string replica_url;           // optional: measure lag on this replica instead
  bool lock_wait_backoff = true;     // back off when the chunk makes other sessions wait
  Millis max_lock_wait{200};         // ... once one of them has waited this long (0: any wait)

  // [failures]
  std::int64_t max_failures = 100;  // quarantined rows tolerated; more stops the job
  double max_failure_ratio = 0.05;  // failed / attempted, checked after `ratio_min_rows`
  std::int64_t ratio_min_rows = 1000;
  int retries = 5;            // attempts after a transient error
  Millis retry_backoff{100};  // first backoff, doubled per attempt, jittered
  // A lost connection (server restart, failover, pg_terminate_backend): reconnect attempts
  // before the run gives up, and the first wait, doubled per attempt (jittered, capped at 10s).
  int reconnect_attempts = 10;
  Millis reconnect_backoff{500};

  // [verify]
  std::string verify_query;
  std::string verify_expect;  // compared with the first column of the first row

  // Where each SQL fragment was written (file line and column; 0 when absent), for
  // CheckFragments' errors.
  struct Span {
    int line = 0;
    int column = 0;
  };
  Span where_at, set_at, from_at, join_at, verify_at, kind_at;
};

// Parses and validates a job file's text. `path` names the file in errors; `name` is the
// job key. Errors are kConfig with a span and a hint.
Result<JobSpec> ParseJob(std::string_view text, const std::string& path, const std::string& name);

// Accepts each SQL fragment of `job` only as what strata splices it in as, in `dialect`
// (analysis/fragment.h): `where` and `join` one boolean expression each, `set` a list of
// assignments, `from` a FROM list, `verify.query` one read-only query. Called once a target is
// open, before any of them runs. Errors are kConfig at the fragment's file:line:col.
Status CheckFragments(const JobSpec& job, db::Dialect dialect);

// Reads and parses a job file. kIo when unreadable.
Result<JobSpec> LoadJob(const std::string& path);

// Whether `s` is a plain or dotted SQL identifier (schema.table, column).
bool IsIdentifier(std::string_view s);

}  // namespace strata::backfill
