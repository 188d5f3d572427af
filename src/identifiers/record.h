// The before/after record of a run that touches contracted tables (migrate, backfill run,
// correct apply, change complete): each touched identifier's digest before anything runs and
// after, stored in the evidence ledger (`strata_identifier_digest`, beside strata_run, keyed by
// the run id) and compared. A difference the run does not explain (ids that appeared without
// declared inserts, vanished without declared and permitted deletes, new NULLs, duplicates or
// format violations, a column gone) fails the run's verification with the numbers and a sample
// of the ids that appeared or vanished. The before set is kept for that sample in a temporary
// table of the guard's own connection (gone with the connection, so a killed run leaves
// nothing behind). A run that only writes rows (a backfill, a correction) does not wait for the
// before digests: they are read in a snapshot taken before it starts, beside it (BeforeTiming).
// Such a run (kBesideRun) runs beside the application: ids that appeared while none vanished
// (or, for a run that only deletes, whatever vanished), with no rise in NULLs, duplicates or
// format violations, are other sessions' inserts, recorded as explained ("explained: N inserted
// by other sessions while the run ran"); beside a run that only updates, ids of an identifier
// whose rows may be deleted that vanished while none appeared, with no such rise, are other
// sessions' deletes ("explained: N deleted by other sessions while the run ran").
// Not thread-safe (a Guard may run its before phase on a thread of its own, joined by End).
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identifiers/contract.h"
#include "identifiers/live.h"

namespace strata::session {
class RunRecorder;
}

namespace strata::identifiers {

// What a run declares it does to a contracted table's rows.
struct Expectation {
  bool may_insert = false;  // new ids may appear
  bool may_delete = false;  // ids may vanish, where the contract allows deletes
  // The run's own statements only delete rows (a delete job): no id can appear by its doing.
  // Beside the application (kBesideRun), ids that appeared are then other sessions' inserts even
  // where declared deletes made others vanish.
  bool only_deletes = false;
  // The run's own statements only update rows (an update job): an id vanishes by its doing only
  // beside one that appears (a changed id) or a NULL more. Beside the application
  // (kBesideRun), ids of a `deletes = "allowed"` identifier that vanished while none appeared
  // are then other sessions' deletes.
  bool only_updates = false;
};
// Contract name → what the run may do to its rows.
using Touched = std::map<std::string, Expectation, std::less<>>;

// The contracts on `table` (e.g. a backfill job's), each with `e`.
Touched TouchedTable(const Contracts& contracts, std::string_view table, Expectation e);
// The contracts the SQL of `files` touches, per the analyzer's model: a statement (or one inside
// a DO block or function body) whose target is a contracted table, or that locks one (a foreign
// key, a cascade). INSERT, COPY and CREATE TABLE AS into it declare inserts; DELETE, TRUNCATE and
// DROP declare deletes.
Touched TouchedBySql(const Contracts& contracts, const std::vector<std::string_view>& files,
                     int pg_version = 15);

// Begin for the SQL a run is about to execute (migrate's pending files): loads the project's
// contracts and guards what TouchedBySql finds. nullptr when nothing contracted is touched.
Result<std::unique_ptr<class Guard>> GuardSql(const Options& options,
                                              const std::vector<std::string_view>& files,
                                              std::string run_id, std::string verb);
// When a Guard reads the before digests and sets.
enum class BeforeTiming {
  // Before Begin returns: for a run whose DDL must not queue behind the guard's reads (migrate,
  // change complete).
  kBeforeRun,
  // PostgreSQL, for a run that only writes rows (backfill run, correct apply): Begin takes an
  // ACCESS SHARE lock on the touched tables and a REPEATABLE READ snapshot, then returns; the
  // digests and before sets are read in that snapshot on a thread of its own while the run
  // proceeds (the run's writes commit after the snapshot, so they are not in it) and recorded
  // when read; End waits for it. The lock, held until then, only makes DDL wait. SQLite reads
  // before the run.
  kBesideRun,
};

// Begin for a run over one table that only writes rows (a backfill job's, a correction's):
// loads the project's contracts and guards the ones on `table` with `e`, kBesideRun.
Result<std::unique_ptr<class Guard>> GuardTable(const Options& options, std::string_view table,
                                                Expectation e, std::string run_id,
                                                std::string verb);
// For several tables (a change's operations), kBeforeRun.
Result<std::unique_ptr<class Guard>> GuardTables(const Options& options,
                                                 const std::vector<std::string>& tables,
                                                 Expectation e, std::string run_id,
                                                 std::string verb);

// One identifier's comparison.
struct Verdict {
  std::string identifier;
  Digest before;
  std::optional<Digest> after;  // nullopt when it could not be read (error in `problem`)
  std::int64_t appeared = 0, vanished = 0;
  std::vector<std::string> appeared_sample, vanished_sample;
  bool explained = true;
  std::string problem;  // what is unexplained, one line; empty when explained
};

class Guard {
 public:
  // Reads the digests of `touched` before the run on a connection of its own, records them
  // under `run_id` (empty: starts a run record of its own for `verb`, finished by End) and
  // keeps each before set in a temporary table — by the time it returns, or beside the run
  // (`timing`). Returns nullptr when nothing is touched, no contracts exist or the target is an
  // in-memory SQLite database (no second connection sees it). Errors: the database's, or a
  // contract whose table or column is missing; with kBesideRun an error of the reads after the
  // snapshot fails End instead.
  static Result<std::unique_ptr<Guard>> Begin(const Options& options, const Contracts& contracts,
                                              const Touched& touched, std::string run_id,
                                              std::string verb,
                                              BeforeTiming timing = BeforeTiming::kBeforeRun);
  ~Guard();

  // Waits for the before phase when it runs beside the run, reads the digests after the run,
  // records them and compares. kVerification naming each unexplained difference (numbers and
  // samples; a before phase that failed beside the run is one); ok otherwise. `run_status`: how
  // the run itself ended (for the run record Begin may have started).
  Status End(const Status& run_status = Status::Ok());

  const std::vector<Verdict>& verdicts() const { return verdicts_; }
  const std::string& run_id() const { return run_id_; }

 private:
  Guard() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<Verdict> verdicts_;
  std::string run_id_;
};

// The recorded digests of one run (empty when the table does not exist), as evidence JSON text:
// [{"identifier", "phase", "target", "rows", "nulls", "duplicates", "format_violations",
// "digest", "appeared", "vanished", "sample", "verdict"}...].
Result<std::string> RecordedJson(db::Connection& conn, const std::string& ledger_schema,
                                 const std::string& run_id);

}  // namespace strata::identifiers
