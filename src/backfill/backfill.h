// strata backfill: declarative, chunked, resumable, throttled data changes (issue 4, seed 000
// §22). One request/result pair per verb (plan, run, status, pause/resume/cancel, set), the same
// shape as include/strata/commands.h. The engine never prints: `run` publishes typed
// BackfillEvents that the CLI renders as a progress bar or JSON lines.
//
// Progress lives in the database next to the data: strata_backfill_job (one row per job run),
// strata_backfill_failure (quarantined rows) and strata_backfill_partition (per-partition
// progress); DDL in src/backfill/sql/*.sql, format in docs/formats/backfill-job.md. Each chunk
// is one short transaction that changes the rows and advances the checkpoint together, so a
// kill at any moment loses or repeats nothing. Functions are not thread-safe with respect to
// one another's arguments; each call opens its own connection.
#pragma once

#include "strata/events.h"  // KindAccess (As/Is); Overloaded, for std::visit over Data
#include "strata/options.h"
#include "strata/status.h"

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace strata::backfill {

// Job statuses as stored in strata_backfill_job.status. Frozen: never rename.
inline constexpr const char* kPending = "pending";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kPaused = "paused";
inline constexpr const char* kInterrupted = "interrupted";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kCompleted = "completed";
inline constexpr const char* kCompletedWithFailures = "completed_with_failures";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kVerificationFailed = "verification_failed";

// Why the runner waits before its next chunk (backfill.throttle's `reason`).
enum class ThrottleReason {
  kRate,         // max_rows_per_second
  kOverrun,      // the chunk ran over twice target_duration
  kLockWaiters,  // sessions waited on the chunk's locks (lock_wait_backoff)
  kReplicaLag,   // the replica is behind by more than max_replica_lag
};
// "rate", "overrun", "lock_waiters", "replica_lag": the reason's name in JSON and text.
const char* ThrottleReasonName(ThrottleReason reason);

// A progress event of a run: the job's progress so far, and one struct per kind holding exactly
// that kind's fields. Read a kind's fields with `e.As<BackfillEvent::Chunk>()` (nullptr for
// another kind) or std::visit. Its JSON line is documented in docs/json.md.
struct BackfillEvent : KindAccess<BackfillEvent> {
  // A run starts, or resumes after `resumed_after` rows.
  struct Started {
    int run_no = 0;
    std::int64_t resumed_after = 0;  // 0: from the beginning
  };
  // A chunk committed.
  struct Chunk {
    std::int64_t rows = 0;
    std::int64_t failed = 0;  // rows quarantined by bisection
    std::int64_t ms = 0;
    int attempts = 0;
  };
  // The runner waits `wait_ms` before the next chunk.
  struct Throttle {
    ThrottleReason reason = ThrottleReason::kRate;
    std::int64_t wait_ms = 0;
    std::int64_t value_ms = 0;  // the measured lag, longest lock wait, or chunk time
    std::string detail;         // one sentence: what was measured against which limit
  };
  // A chunk failed transiently (lock or statement timeout, serialization) and runs again.
  struct Retry {
    int attempt = 0;
    std::string sqlstate;
    std::string error;
    std::int64_t wait_ms = 0;
  };
  // Bisection isolated a row that fails; it is quarantined in strata_backfill_failure.
  struct RowFailed {
    std::string key;  // JSON array
    std::string sqlstate;
  };
  // The job row says paused; the runner waits.
  struct Paused {};
  struct Resumed {};
  // `backfill set` changed a limit while the job runs.
  struct Reconfigured {
    std::string overrides;  // JSON object now in force
  };
  // The job's verification query ran.
  struct Verify {
    std::string actual;
    std::string expected;
  };
  // The run ended.
  struct Done {
    std::string status;  // kCompleted, kFailed, ... (as stored in the job row)
  };
  // The connection was lost; the runner waits wait_ms, then makes reconnect attempt `attempt`.
  struct ConnectionLost {
    int attempt = 0;
    std::int64_t wait_ms = 0;
    std::string sqlstate;  // "" if none
    std::string error;     // the error's first line
  };
  // Reconnected on attempt `attempt`, the job lock taken again and progress reloaded from the
  // checkpoint.
  struct Reconnected {
    int attempt = 0;
    std::string detail;  // how long it took and from where the run continues
  };
  using Data = std::variant<Started, Chunk, Throttle, Retry, RowFailed, Paused, Resumed,
                            Reconfigured, Verify, Done, ConnectionLost, Reconnected>;

  // Implicit from one kind's struct: `BackfillEvent e = BackfillEvent::Chunk{...}`.
  template <class Kind>
  requires(!std::is_same_v<std::remove_cvref_t<Kind>, BackfillEvent> &&
           std::is_constructible_v<Data, Kind&&>) BackfillEvent(Kind&& kind)
      : data(std::forward<Kind>(kind)) {}  // NOLINT(google-explicit-*)

  Data data;
  // The run's progress when the event happened (every kind).
  std::string job;
  std::string partition;  // JSON of the partition value, for partitioned jobs
  std::int64_t processed = 0;
  std::int64_t failed = 0;
  std::int64_t total = -1;  // estimate of processed + remaining candidates, -1 unknown
  std::int64_t chunk_size = 0;
  std::int64_t chunks = 0;
  std::int64_t elapsed_ms = 0;  // since this run started
  double rows_per_second = 0;
};
using BackfillSink = std::function<void(const BackfillEvent&)>;

// One job run's row, as `status` shows it.
struct JobState {
  std::string id;
  std::string job;
  int run_no = 0;
  std::string status;
  bool runner_alive = false;  // a runner holds the job lock right now
  std::string started_at, completed_at, updated_at;
  std::string last_key;  // JSON array
  std::int64_t processed = 0;
  std::int64_t failed = 0;
  std::int64_t chunks = 0;
  std::int64_t total_estimate = -1;
  std::int64_t chunk_size = 0;
  std::string job_file;
  std::string checksum;
  std::string overrides;  // JSON object
  std::string message;
  std::string runner;
  struct Partition {
    std::string value;  // JSON
    std::string last_key;
    std::int64_t processed = 0;
    std::int64_t failed = 0;
    bool done = false;
  };
  std::vector<Partition> partitions;
};

struct FailureRow {
  std::string key;  // JSON array
  std::string error;
  std::string sqlstate;
  int attempt = 0;
  std::string at;
};

// --- plan: a dry run. Changes nothing: the sample chunk runs in a rolled-back transaction. For a
// delete job `candidates` is the number of rows `run` would delete.
struct PlanRequest {
  std::string job;  // a name in the backfill directory, or a path to a .toml file
  int sample_rows = 5;
};
struct SampleRow {
  std::vector<std::string> key;
  std::vector<std::pair<std::string, std::string>> before, after;  // column → value ("NULL")
  bool deleted = false;  // a delete job's sample chunk deleted it (`after` is empty)
};
struct PlanResult {
  Status status;
  std::string target;
  std::string job;
  std::string job_file;
  std::string table;
  std::string kind;             // "update" or "delete" (docs/formats/backfill-job.md)
  std::int64_t candidates = 0;  // rows the job would change (a delete job: would delete)
  std::int64_t chunk_size = 0;
  std::int64_t estimated_chunks = 0;
  // The chunks' transactions the run keeps going side by side (chunk.workers on PostgreSQL
  // without a rate limit; 1 otherwise), by which the estimate divides the rows' time.
  int workers = 1;
  std::int64_t estimated_ms = 0;
  std::int64_t sample_chunk_rows = 0;  // rows the rolled-back sample chunk changed or deleted
  std::int64_t sample_chunk_ms = 0;
  std::string select_sql;  // the keyset query of one chunk
  std::string chunk_sql;   // the UPDATE (DELETE) of one chunk, its parameters inlined for reading
  std::vector<std::string> explain;
  std::vector<SampleRow> sample;
  std::string existing_status;  // the job's current run, if any
  std::vector<std::string> warnings;
};
PlanResult Plan(const Options& options, const PlanRequest& request);

// --- run: runs or resumes a job.
//
// A lost connection (server restart, failover, pg_terminate_backend) does not end the run: the
// runner reconnects (failures.reconnect_attempts with doubling backoff from
// failures.reconnect_backoff), takes the job lock again, reloads its progress from the job row
// and continues; the chunk in flight was rolled back by the server, or committed with its
// checkpoint, so nothing is lost or done twice. When no attempt succeeds the run returns
// kConnection with the resume hint (the job row stays `running`: resumable). When another
// runner took the job lock in the meantime the run returns kLockTimeout naming it.
struct RunRequest {
  std::string job;
  bool restart = false;  // start a new run from the beginning (needed after the file changed)
  BackfillSink sink;
  // Polled between chunks and while waiting: true after SIGINT/SIGTERM. The current chunk
  // finishes and commits, the job is marked interrupted, and Run returns ok.
  std::function<bool()> stop_requested;
};
struct RunResult {
  Status status;
  std::string target;
  JobState job;
  std::int64_t rows_this_run = 0;
  std::int64_t failed_this_run = 0;
  std::int64_t chunks_this_run = 0;
  std::int64_t elapsed_ms = 0;
  bool interrupted = false;   // stopped by a signal; resumable
  bool already_done = false;  // the job had completed before; nothing ran
  int reconnects = 0;         // lost connections this run recovered from
  std::string verify_actual, verify_expected;
  std::vector<std::string> warnings;
  std::string next_step;  // one line: what to do now
};
RunResult Run(const Options& options, const RunRequest& request);

// --- status
struct StatusRequest {
  std::string job;  // empty: every job's latest run
  bool failures = false;
  int failure_limit = 100;
};
struct StatusResult {
  Status status;
  std::string target;
  std::vector<JobState> jobs;
  std::vector<FailureRow> failures;  // with `failures` and one job
};
StatusResult GetStatus(const Options& options, const StatusRequest& request);

// --- pause / resume / cancel: cooperative, through the job row.
enum class ControlAction { kPause, kResume, kCancel };
struct ControlRequest {
  std::string job;
  ControlAction action;
};
struct ControlResult {
  Status status;
  std::string target;
  std::string job;
  std::string previous_status;
  std::string new_status;
  bool runner_alive = false;
  std::string next_step;
};
ControlResult Control(const Options& options, const ControlRequest& request);

// --- set: live reconfiguration, read by a running job at its next chunk.
// Keys: chunk_size, max_rows_per_second, target_duration, max_replica_lag.
struct SetRequest {
  std::string job;
  std::vector<std::string> assignments;  // "key=value"
};
struct SetResult {
  Status status;
  std::string target;
  std::string job;
  std::string overrides;  // JSON now in force
  bool runner_alive = false;
};
SetResult Set(const Options& options, const SetRequest& request);

}  // namespace strata::backfill
