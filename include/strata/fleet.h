// Fleets: one command runs a verb (migrate, info, validate, verify, lint, drift) over many targets
// — tenant databases, schemas of one database, SQLite files — listed in a fleet file
// (docs/formats/fleet.md). Each target is driven through the ordinary verb API of
// strata/commands.h with its own Options, so it gets the same lock, ledger and run record as a
// single `strata migrate`. The fleet adds ordering (canary, waves), bounded concurrency, a
// failure policy, a per-target time limit, progress events and a state file that lets
// `--resume` retry only what failed or was not reached (docs/fleet.md).
//
// Fleet() runs worker threads; the progress sink is called from them, but never concurrently
// (the fleet serialises the calls). Every URL in a result or event is redacted.
#pragma once

#include "strata/commands.h"
#include "strata/events.h"
#include "strata/options.h"
#include "strata/schema.h"
#include "strata/status.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strata {

// What happened to one target. Stored in the state file: never rename.
//   ok          the verb completed (migrate: everything pending applied; info: read)
//   failed      a migration (or validation) failed on it: counts towards --max-failures
//   timeout     it ran past the per-target time limit and was stopped: counts too
//   unreachable it could not be connected to: reported, does not count
//   locked      another runner held its migration lock past the lock wait: reported only
//   not-reached the fleet stopped (failure policy, canary failure, kill) before it started
//   skipped     --resume: it completed in the run being resumed
//   planned     --dry-run: it would run (in the wave the result names)
//   findings    lint: the gate would refuse its pending set (findings at or above [lint] gate)
//   drifted     drift: its live schema differs from what its history says
struct FleetTargetResult {
  std::string name;
  std::string url;     // redacted, as written in the fleet file (environment references unexpanded)
  std::string schema;  // schema-per-tenant: the tenant's schema
  std::vector<std::string> labels;
  int wave = 0;  // 0: the canary wave; 1.. the waves after it
  std::string result = "not-reached";
  std::string before;     // latest applied version before the run ("" when none)
  std::string after;      // ... after it
  int applied = 0;        // migrations this run applied
  int pending = 0;        // migrate: pending before; info: pending now ("behind by")
  int failed_rows = 0;    // info: failed migrations in its ledger
  std::string locked_by;  // info: who holds its migration lock right now
  std::string run_id;     // the engine's run record on that target (strata_run)
  std::int64_t elapsed_ms = 0;
  Status status;                      // the error, when result is not ok
  std::string last_fleet_result;      // info: its result in the state file's last fleet run
  std::vector<GateFinding> findings;  // lint: the gate's blocking findings for its pending set
  int findings_below_gate = 0;        // lint: the others
  std::vector<DriftItem> drift;       // drift: the differences
};

struct FleetRequest {
  std::string verb = "migrate";     // migrate, info, validate, verify, lint, drift
  std::string fleet_file;           // default <project>/db/fleet.toml
  int parallel = 0;                 // 0: the fleet file's value, else 4
  int wave_size = -1;               // -1: the fleet file's; 0: one wave with everything
  std::vector<std::string> canary;  // target names or labels run first, alone
  int max_failures = -1;            // stop starting targets after this many failed (-1: file's / 1)
  bool keep_going = false;          // never stop for failures (continue and report)
  std::int64_t target_timeout_ms = -1;  // -1: the file's value; 0: none
  bool resume = false;                  // migrate: only targets not ok in the last fleet run
  std::vector<std::string> only;        // run only these names or labels (empty: all)
  bool dry_run = false;                 // resolve and print the targets and waves; touch nothing
  std::string target;                   // migrate, lint: --target version
  std::string against;                  // drift: the schema file (default: [schema] file)
};

// A progress event: a target starting or finishing, or an engine event of a running target.
struct FleetEvent {
  enum class Kind { kTargetStarted, kTargetDone, kEngine, kWaveStarted };
  Kind kind = Kind::kTargetStarted;
  std::string target;
  int wave = 0;
  const FleetTargetResult* result = nullptr;         // kTargetDone
  const Event* event = nullptr;                      // kEngine
  int done = 0, total = 0, failed = 0, running = 0;  // totals after this event
};
using FleetSink = std::function<void(const FleetEvent&)>;

struct FleetResult {
  Status status;  // ok when every target is ok (or skipped)
  std::string verb;
  std::string fleet_file;
  std::string fleet_run_id;    // this fleet run; the state file and its history name it
  std::string resumed_run_id;  // --resume: the fleet run being resumed
  std::string state_file;
  bool stopped = false;  // the failure policy stopped it
  std::string stop_reason;
  std::vector<FleetTargetResult> targets;  // in the fleet file's order
  std::int64_t elapsed_ms = 0;
  int ok = 0, failed = 0, unreachable = 0, locked = 0, not_reached = 0, skipped = 0;
};
FleetResult Fleet(const Options& options, const FleetRequest& request, const FleetSink& sink);

}  // namespace strata
