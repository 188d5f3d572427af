// The fleet state file (docs/formats/fleet.md#state): what the last fleet run did to each
// target, so `fleet migrate --resume` retries only the targets that did not finish ok and
// `fleet info` can say which failed. JSON, next to the fleet file by default
// (db/fleet.state.json), replaced atomically after every target; writers serialise on an
// flock of `<state>.lock`, and each update re-reads the file so two fleet runs at once merge
// per target instead of losing each other's results. One summary line per finished fleet run
// is appended to `<state stem>.history.jsonl`. Thread-safe (an internal mutex).
#pragma once

#include "strata/fleet.h"
#include "strata/result.h"

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace strata::fleet {

struct TargetState {
  std::string result;  // FleetTargetResult::result
  std::string before, after, run_id, error, finished_at;
  int applied = 0;
  std::int64_t elapsed_ms = 0;
};

struct FleetState {
  int format = 1;
  std::string fleet_run_id, verb, fleet_file, started_at, updated_at, finished_at;
  int attempts = 1;  // 1 + the number of --resume runs
  std::map<std::string, TargetState> targets;
};

class StateFile {
 public:
  explicit StateFile(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // The state, nullopt when there is no file; kIo/kConfig when it cannot be read or parsed.
  Result<std::optional<FleetState>> Load() const;
  // Replaces the whole state (a new fleet run).
  Status Reset(const FleetState& state);
  // Records one target's outcome under `run_id` (the fleet run's id).
  Status Record(const std::string& run_id, const std::string& name, const TargetState& t);
  // Marks the run finished and appends `summary` to the history file.
  Status Finish(const std::string& run_id, const nlohmann::json& summary);

 private:
  template <typename Fn>
  Status Update(Fn&& fn);
  std::string path_;
  std::mutex mu_;
};

// Default state path for a fleet file: <dir>/<stem>.state.json.
std::string DefaultStatePath(const std::string& fleet_file);

}  // namespace strata::fleet
