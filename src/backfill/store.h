// The backfill state tables on one connection: strata_backfill_job (a row per job run),
// strata_backfill_failure (quarantined rows) and strata_backfill_partition. DDL in
// src/backfill/sql/<dialect>.sql, embedded at build time. Checkpoint writes are plain
// statements that the runner issues inside its chunk transaction. Not thread-safe.
#pragma once

#include "db/connection.h"

#include <optional>
#include <string>
#include <vector>

#include "backfill/backfill.h"

namespace strata::backfill {

class Store {
 public:
  explicit Store(db::Connection& conn) : conn_(conn) {}

  Result<bool> Exists();
  Status EnsureTables();

  // The latest run of `job_key`, or nullopt. Includes partitions.
  Result<std::optional<JobState>> Latest(const std::string& job_key);
  // The latest run of every job, by job key.
  Result<std::vector<JobState>> AllLatest();

  // Inserts a new run row (status running) and returns it.
  Result<JobState> CreateRun(const std::string& job_key, int run_no, const std::string& job_file,
                             const std::string& checksum, const std::string& parameters,
                             std::int64_t chunk_size, const std::string& runner);

  Status SetStatus(const std::string& id, const std::string& status, const std::string& message,
                   bool completed);
  // Marks a run as taken over by this runner (status running, runner, started_at if unset).
  Status StartRunner(const std::string& id, const std::string& runner);
  Status SetTotal(const std::string& id, std::int64_t total);

  struct Control {
    std::string status;
    std::string overrides;
  };
  Result<Control> ReadControl(const std::string& id);
  // The same read as a statement (for a pipeline), and its result.
  static db::Statement ControlStatement(const std::string& id);
  static Result<Control> ParseControl(const db::QueryResult& r);
  Status SetOverrides(const std::string& id, const std::string& overrides);

  // Inside the chunk transaction, as statements the runner pipelines with its COMMIT.
  db::Statement Checkpoint(const std::string& id, const std::string& last_key,
                           std::int64_t processed, std::int64_t failed, std::int64_t chunk_size);
  // Rows a worker's transaction changed beside the runner's own (runner.cc): counted with them,
  // in the same transaction; the checkpoint moves in the runner's.
  db::Statement AddProcessed(const std::string& id, std::int64_t processed);
  // A range of the work queue (runner.cc, several workers) committed by its own transaction:
  // its rows and failures counted, and one chunk more, with them. The checkpoint moves
  // separately (MoveCheckpoint), once every range below it has committed.
  db::Statement CommitRange(const std::string& id, std::int64_t processed, std::int64_t failed);
  // The checkpoint alone: every range up to `last_key` has committed (and counted itself).
  db::Statement MoveCheckpoint(const std::string& id, const std::string& last_key,
                               std::int64_t chunk_size);
  db::Statement CheckpointPartition(const std::string& id, const std::string& partition,
                                    const std::string& last_key, std::int64_t processed,
                                    std::int64_t failed, bool done);
  Status RecordFailure(const std::string& id, const std::string& key, const std::string& error,
                       const std::string& sqlstate, int attempt);

  Result<std::vector<FailureRow>> Failures(const std::string& id, int limit);

 private:
  Result<std::vector<JobState>> Select(const std::string& where,
                                       const std::vector<db::Value>& params);
  db::Connection& conn_;
};

}  // namespace strata::backfill
