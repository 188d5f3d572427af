// backfill run: the chunk loop. See backfill.h for the contract and docs/formats/backfill-job.md
// for the state it keeps.
#include "base/duration.h"
#include "base/host.h"
#include "base/redact.h"
#include "lint/identifier_gate.h"
#include "session/session.h"
#include "verify/read_only.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "backfill/backfill.h"
#include "backfill/chunk.h"
#include "backfill/common.h"
#include "backfill/schema.h"
#include "backfill/store.h"
#include "backfill/throttle.h"
#include "identifiers/record.h"

namespace strata::backfill {

namespace {

using nlohmann::json;

// A test seam, the way a test drives the run's timing without sleeps (tests/backfill: the
// progress bar under a pseudo-terminal): STRATA_TEST_BACKFILL_HOLD=<rows>:<path>. Once at least
// <rows> rows are done the runner creates <path>.held and waits until <path> exists (or a stop
// is requested); it creates <path>.paused when it announces a pause. Unset: nothing happens.
class TestHold {
 public:
  TestHold() {
    const char* v = std::getenv("STRATA_TEST_BACKFILL_HOLD");
    if (!v) return;
    std::string_view s(v);
    auto colon = s.find(':');
    if (colon == std::string_view::npos) return;
    try {
      rows_ = std::stoll(std::string(s.substr(0, colon)));
    } catch (...) {
      return;
    }
    path_ = std::string(s.substr(colon + 1));
  }
  // Returns once the test lets the run go on (at once when not holding here).
  template <typename StopFn>
  void At(std::int64_t processed, StopFn&& stop) {
    if (path_.empty() || held_ || processed < rows_) return;
    held_ = true;
    Touch(path_ + ".held");
    while (access(path_.c_str(), F_OK) != 0 && !stop()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void Paused() {
    if (!path_.empty()) Touch(path_ + ".paused");
  }

 private:
  static void Touch(const std::string& p) {
    if (FILE* f = std::fopen(p.c_str(), "w")) std::fclose(f);
  }
  std::int64_t rows_ = 0;
  std::string path_;
  bool held_ = false;
};

struct Part {
  bool partitioned = false;
  std::string value_json;  // for partitioned jobs
  db::Value value;
  std::vector<db::Value> last;
  bool done = false;
};

struct ChunkResult {
  std::int64_t rows = 0;
  std::int64_t failed = 0;
  std::int64_t keys = 0;  // candidates the chunk covered; below its size: likely the last one
  std::int64_t elapsed_ms = 0;
  std::int64_t work_ms = -1;  // the UPDATE (or bisection) alone
  std::int64_t lock_waiters = 0;
  std::int64_t longest_wait_ms = 0;
  int attempts = 1;
  bool exhausted = false;  // no candidates left in this partition
  bool halted = false;     // the job row said paused or cancelled: the chunk did nothing
  bool lagging = false;    // the replica lag was above the limit: the chunk did nothing
  bool counted = false;    // the work queue counted and paced its ranges itself (RunQueue)
};

// The replica lag as the primary sees it (pg_stat_replication), in ms.
constexpr const char* kPrimaryLagSql =
    "SELECT coalesce(max((extract(epoch FROM replay_lag) * 1000)::bigint), 0) FROM "
    "pg_stat_replication";
// Sessions waiting on locks this session holds, and the longest wait so far (ms).
constexpr const char* kLockWaitersSql =
    "SELECT count(*), coalesce(max((extract(epoch FROM clock_timestamp() - a.query_start) * "
    "1000)::bigint), 0) FROM pg_stat_activity a WHERE a.wait_event_type = 'Lock' AND "
    "pg_backend_pid() = ANY(pg_blocking_pids(a.pid))";

std::string JobParameters(const JobSpec& j) {
  json p = {{"kind", KindName(j.kind)},
            {"table", j.table},
            {"key", j.key},
            {"where", j.where},
            {"chunk_size", j.chunk_size},
            {"target_duration_ms", j.target_duration.count()},
            {"max_rows_per_second", j.max_rows_per_second},
            {"lock_timeout_ms", j.lock_timeout.count()},
            {"statement_timeout_ms", j.statement_timeout.count()},
            {"max_replica_lag_ms", j.max_replica_lag.count()},
            {"max_lock_wait_ms", j.max_lock_wait.count()},
            {"max_failures", j.max_failures},
            {"max_failure_ratio", j.max_failure_ratio}};
  if (!j.set.empty()) p["set"] = j.set;
  if (!j.from.empty()) p["from"] = j.from;
  if (!j.join.empty()) p["join"] = j.join;
  if (!j.partition_by.empty()) p["partition_by"] = j.partition_by;
  if (!j.verify_query.empty())
    p["verify"] = {{"query", j.verify_query}, {"expect", j.verify_expect}};
  return p.dump();
}

// The first line of a driver message (libpq adds lines of explanation to a lost connection).
std::string FirstLine(const std::string& s) {
  auto nl = s.find('\n');
  return base::RedactSecrets(nl == std::string::npos ? s : s.substr(0, nl));
}

bool SameValue(const std::string& actual, const std::string& expected) {
  if (actual == expected) return true;
  try {
    size_t a = 0, b = 0;
    double x = std::stod(actual, &a), y = std::stod(expected, &b);
    return a == actual.size() && b == expected.size() && x == y;
  } catch (...) {
  }
  auto norm = [](const std::string& s) {
    if (s == "t" || s == "1" || s == "true") return std::string("true");
    if (s == "f" || s == "0" || s == "false") return std::string("false");
    return s;
  };
  return norm(actual) == norm(expected);
}

class Runner {
 public:
  Runner(const Options& options, const RunRequest& req, RunResult& res)
      : options_(options), req_(req), res_(res), rng_(std::random_device{}()) {}

  // The run: Prepare, InitPacing, LoadParts, EstimateTotal, AnnounceStart, ChunkLoop, then
  // EndCancelled, EndStopped or FinishAndVerify.
  Status Main();
  // Fills the result's job state from the database after the run.
  void Snapshot() {
    if (!store_ || !session_.conn || !session_.conn->Alive() || spec_.name.empty()) return;
    auto j = store_->Latest(spec_.name);
    if (j.ok() && *j) res_.job = std::move(**j);
  }

 private:
  bool StopRequested() const { return req_.stop_requested && req_.stop_requested(); }
  void Emit(BackfillEvent e) {
    if (!req_.sink) return;
    e.job = spec_.name;
    e.processed = processed_;
    e.failed = failed_;
    e.total = total_;
    e.chunks = chunks_total_;
    e.elapsed_ms = base::MonotonicMillis() - start_ms_;
    e.chunk_size = size_;
    e.rows_per_second =
        e.elapsed_ms > 0 ? static_cast<double>(res_.rows_this_run) * 1000.0 / e.elapsed_ms : 0;
    req_.sink(e);
  }
  TestHold test_hold_;
  // Sleeps in slices, returning early when a stop is requested.
  void Sleep(std::int64_t ms) {
    auto until = base::MonotonicMillis() + ms;
    while (!StopRequested()) {
      auto left = until - base::MonotonicMillis();
      if (left <= 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(left, 50)));
    }
  }
  Status Prepare();
  // The pacing, progress and rate state from the job row, the file and `backfill set`.
  void InitPacing();
  // The progress total: rows done plus the candidates ahead of the checkpoint (a count).
  void EstimateTotal();
  void AnnounceStart();
  // Chunks until no candidate is left, a stop, a pause or a cancel (ok), or an error that ends
  // the run (a lost connection is recovered inside).
  Status ChunkLoop();
  // The next partition to run a chunk of, round robin; nullptr when none is left, with
  // `refreshed` set when partitions that appeared meanwhile were loaded (go round again).
  Result<Part*> NextPart(bool& refreshed);
  // A committed chunk: the counters and its event.
  void Count(const Part& part, const ChunkResult& cr);
  // kBackfillFailed (the job row marked failed) once the failures exceed the budget.
  Status CheckFailureBudget();
  // The next chunk's size and the wait before it (throttle.h), announced and slept.
  void Pace(const ChunkResult& cr);
  Status EndCancelled();
  Status EndStopped();
  // Finish, reconnecting if the connection is lost meanwhile.
  Status FinishAndVerify();
  Status LoadParts();
  Status PollControl(bool& stop_loop);
  // Applies and announces `backfill set` overrides when they changed.
  void NoteOverrides(const std::string& overrides);
  void ApplyOverrides(const std::string& overrides);
  // The statements that open a chunk's transaction: BEGIN, and on PostgreSQL the chunk's lock
  // and statement timeouts.
  std::vector<db::Statement> ChunkBegin() const;
  // Whether the chunk itself measures the replica lag (on the primary, in its first round trip)
  // instead of ReplicaGate before it.
  bool LagInChunk() const { return pg_ && max_lag_.count() > 0 && replica_url_.empty(); }
  Status ReplicaGate(bool& stop_loop);
  Result<std::int64_t> MeasureLag();
  Result<ChunkResult> RunChunk(Part& part);
  // Several workers on an unpartitioned job (PostgreSQL): a work queue instead of chunks of
  // `workers` ranges. The runner's connection cuts the ranges ahead (`workers` at a time, from
  // the last cut, while the workers run the ranges before) and moves the checkpoint; each worker
  // connection takes the next range as soon as its last one committed. A range commits with
  // its own count (CommitRange); the checkpoint moves past the ranges that all committed,
  // lowest first, so a kill loses and repeats nothing (the ranges above the checkpoint that
  // committed have no candidates left). Returns, its ranges counted and paced (`counted`),
  // once no candidate is left (`exhausted`), on a pause or cancel (`halted`), a replica lag
  // (`lagging`), a stop, a fall back to one transaction at a time (Workers() became 1), or an
  // error — always after the ranges in flight have ended and the checkpoint is written.
  Result<ChunkResult> RunQueue(Part& part);
  // The range (lower, upper] in the runner's own transaction, counted with it (CommitRange):
  // a range whose worker failed. A persistent error is bisected; a transient one retried.
  Result<ChunkResult> RedoRange(Part& part, const std::vector<db::Value>& lower,
                                const std::vector<db::Value>& upper);
  // Set when a range of the work queue pushed the failures over the budget (the job row is
  // marked failed): the run ends with it.
  Status over_budget_;
  // Runs the UPDATE of the range (lower, upper] that holds keys[lo..hi] in a savepoint; on a
  // persistent error, halves the range at a key until the failing rows are single keys.
  Status Bisect(Part& part, const std::vector<db::Row>& keys, size_t lo, size_t hi,
                const std::vector<db::Value>& lower, const std::vector<db::Value>& upper,
                int attempt, ChunkResult& out);
  // After a persistent error in the range `b`'s transaction: rolls it back and bisects the range
  // over its keys, fetched only now, in a new transaction (one round trip on PostgreSQL).
  Status BisectRange(Part& part, const ChunkBounds& b, int attempt, ChunkResult& out);
  // After a chunk's attempt failed with `st` and was rolled back: whether to try it again (a
  // transient error within the retries, and no stop asked for meanwhile), having halved the
  // chunk for a lock or statement timeout, told the retry and waited its backoff.
  bool RetryAfter(const Status& st, int attempt, const Part& part);
  Status Finish();
  Status Fail(Status s);
  // After an error: ok when it was a lost connection and the runner reconnected (the caller
  // goes round its loop again); otherwise the error to end the run with.
  Status Recover(Status s);
  // Reconnects after `lost` with backoff (reconnect_attempts, reconnect_backoff): each attempt
  // is Relock, then ReloadCheckpoint. Ok once reconnected; otherwise the error to end the run.
  Status Reconnect(const Status& lost);
  // One step of a reconnect attempt: done, retry (`status` says why this attempt failed) or
  // fatal (the run ends with `status`).
  struct Attempt {
    enum Outcome { kDone, kRetry, kFatal } outcome;
    Status status;
  };
  // A new session that holds the job lock (session_, store_). Fatal when another runner has
  // taken the job over; a retry while this runner's dead session still holds the lock.
  Attempt Relock();
  // The job's progress from its row (the truth: a chunk whose COMMIT was lost with the
  // connection either committed with its checkpoint or did not), and this runner registered
  // again. Fatal when a newer run has superseded this one.
  Attempt ReloadCheckpoint();
  std::string RunnerDescription();

  const Options& options_;
  const RunRequest& req_;
  RunResult& res_;
  JobSpec spec_;
  Settings settings_;
  session::Session session_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<db::Connection> replica_;
  std::string replica_url_;
  bool locked_ = false;
  JobState job_;
  std::vector<Part> parts_;
  size_t next_part_ = 0;
  Pacing pacing_;
  std::int64_t size_ = 0;
  Millis max_lag_{0};
  std::int64_t processed_ = 0, failed_ = 0, total_ = -1, chunks_total_ = 0;
  std::int64_t start_ms_ = 0;
  // The rate limit's schedule: rows since rate_start_ms_ (see the chunk loop).
  std::int64_t rate_rows_ = 0;
  std::int64_t rate_start_ms_ = 0;
  std::string overrides_seen_ = "{}";
  std::mt19937 rng_;
  bool pg_ = false;
  // The workers' own connections (chunk.workers > 1, PostgreSQL), index 1.. (0: unused, the
  // runner's own): opened at the first chunk that needs them, dropped when lost (reopened at the
  // next chunk). When one cannot be opened the run goes on alone.
  std::vector<std::unique_ptr<db::Connection>> workers_;
  bool workers_off_ = false;
  // A rate-limited job runs one transaction at a time: the limit's pacing (throttle.h: no
  // chunk holds more than a tenth of a second's rows, the next chunk pre-paid) is per
  // transaction, and a job that states its rate does not need more than one CPU.
  int Workers() const {
    return pg_ && !workers_off_ && pacing_.max_rows_per_second <= 0 ? std::max(spec_.workers, 1)
                                                                    : 1;
  }
  // Worker i's connection, opened if needed; nullptr when it cannot be (the runner then changes
  // that range itself).
  db::Connection* Worker(size_t i);
  // What a worker's transaction did to its range: committed with its row count, or the error
  // (rolled back, or its COMMIT's outcome unknown: the runner redoes the range either way).
  struct WorkerOut {
    Status status;
    std::int64_t rows = 0;
    std::int64_t lock_waiters = 0;
    std::int64_t longest_wait_ms = 0;
    std::int64_t work_ms = -1;    // the open pipeline (the UPDATE)
    std::int64_t elapsed_ms = 0;  // the whole transaction (set by the work queue)
    bool lost = false;            // its connection is gone
  };
  // Runs in its own thread on `c`: `open` (ChunkBegin, the range's UPDATE), then `close` (the
  // lock waiters, the row count: AddProcessed, whose parameters at `rows_at` (statement,
  // parameter) get the UPDATE's count; COMMIT). The statements are built by the caller; nothing
  // here touches the runner's state.
  static WorkerOut RunWorker(db::Connection* c, std::vector<db::Statement> open,
                             std::vector<db::Statement> close,
                             std::vector<std::pair<size_t, size_t>> rows_at, bool waiters);
};

Status Runner::Prepare() {
  STRATA_ASSIGN_OR_RETURN(settings_, LoadSettings(options_));
  STRATA_ASSIGN_OR_RETURN(auto path, ResolveJobPath(options_, settings_, req_.job));
  // The whole file is validated before the database is touched.
  STRATA_ASSIGN_OR_RETURN(spec_, LoadJob(path));
  STRATA_ASSIGN_OR_RETURN(session_, session::Open(options_, "backfill run"));
  res_.target = session_.url.redacted;
  pg_ = session_.conn->dialect() == db::Dialect::kPostgres;
  db::Connection& conn = *session_.conn;
  STRATA_TRY(CheckSchema(conn, spec_));
  // A job that rewrites an identifier others hold (db/identifiers.toml), or deletes rows whose
  // contract keeps them (deletes = "never" or "tombstone"; also through ON DELETE CASCADE), is
  // refused.
  if (spec_.kind == JobKind::kDelete) {
    STRATA_TRY(lint::RefuseIdentifierChanges(
        options_, fmt::format("DELETE FROM {} WHERE {}", spec_.table, spec_.where),
        {spec_.path, spec_.kind_at.line, spec_.kind_at.column}, "backfill run", &conn));
  } else {
    STRATA_TRY(lint::RefuseIdentifierChanges(
        options_, fmt::format("UPDATE {} SET {}", spec_.table, spec_.set),
        {spec_.path, spec_.set_at.line, spec_.set_at.column}, "backfill run", &conn));
  }
  if (!pg_ && spec_.max_replica_lag.count() > 0) {
    res_.warnings.push_back("throttle.max_replica_lag is ignored on SQLite (no replicas)");
  }
  // One runner per job: the lock is tried once, never waited for.
  STRATA_ASSIGN_OR_RETURN(bool got, conn.TryLock(JobLockName(spec_.name)));
  if (!got) {
    auto holder = conn.DescribeLockHolder(JobLockName(spec_.name));
    return Status(ErrorCode::kLockTimeout,
                  fmt::format("backfill job `{}` is already running on {}{}", spec_.name,
                              res_.target, holder ? ": " + holder->description : ""))
        .WithHint(fmt::format("watch it with `strata backfill status {0}`, or stop it with "
                              "`strata backfill pause|cancel {0}`",
                              spec_.name));
  }
  locked_ = true;
  store_ = std::make_unique<Store>(conn);
  STRATA_TRY(store_->EnsureTables());
  STRATA_ASSIGN_OR_RETURN(auto latest, store_->Latest(spec_.name));
  std::string runner = RunnerDescription();
  std::string params = JobParameters(spec_);
  if (!latest || req_.restart) {
    int run_no = latest ? latest->run_no + 1 : 1;
    if (latest && (latest->status == kRunning || latest->status == kPaused ||
                   latest->status == kInterrupted || latest->status == kPending)) {
      STRATA_TRY(store_->SetStatus(latest->id, kCancelled,
                                   fmt::format("superseded by run {} (--restart)", run_no), true));
    }
    STRATA_ASSIGN_OR_RETURN(job_, store_->CreateRun(spec_.name, run_no, spec_.path, spec_.checksum,
                                                    params, spec_.chunk_size, runner));
    return Status::Ok();
  }
  job_ = std::move(*latest);
  const std::string& st = job_.status;
  if (job_.checksum != spec_.checksum) {
    return Status(ErrorCode::kBackfillChanged,
                  fmt::format("{} changed since run {} of job `{}` started ({} rows done, "
                              "status {}): checksum {} is now {}",
                              spec_.path, job_.run_no, spec_.name, job_.processed, st,
                              job_.checksum.substr(0, 12), spec_.checksum.substr(0, 12)))
        .WithSpan({spec_.path, 0, 0})
        .WithHint(fmt::format("restore the file, or start over with the new definition: "
                              "`strata backfill run {} --restart` (the old run stays recorded)",
                              spec_.name));
  }
  if (st == kCompleted || st == kCompletedWithFailures) {
    res_.already_done = true;
    res_.job = job_;
    res_.next_step = fmt::format(
        "nothing to do; run it again from the start with "
        "`strata backfill run {} --restart`",
        spec_.name);
    return Status::Ok();
  }
  auto refuse = [&](std::string why, std::string hint) {
    return Status(ErrorCode::kBackfillState,
                  fmt::format("backfill job `{}` run {} is {}{}", spec_.name, job_.run_no, st,
                              why.empty() ? "" : ": " + why))
        .WithHint(std::move(hint));
  };
  if (st == kPaused) {
    return refuse(job_.message, fmt::format("resume it with `strata backfill resume {}`, then "
                                            "`strata backfill run {}`",
                                            spec_.name, spec_.name));
  }
  if (st == kCancelled) {
    return refuse(
        job_.message,
        fmt::format("start a new run with `strata backfill run {} --restart`", spec_.name));
  }
  if (st == kFailed || st == kVerificationFailed) {
    return refuse(job_.message,
                  fmt::format("inspect `strata backfill status {} --failures`, fix the data or "
                              "the job, then `strata backfill run {} --restart`",
                              spec_.name, spec_.name));
  }
  if (st == kRunning) {
    res_.warnings.push_back(
        fmt::format("the previous runner ({}) is gone; resuming run {} "
                    "from its checkpoint",
                    job_.runner.empty() ? "unknown" : job_.runner, job_.run_no));
  }
  STRATA_TRY(store_->StartRunner(job_.id, runner));
  job_.status = kRunning;
  return Status::Ok();
}

std::string Runner::RunnerDescription() {
  return fmt::format("pid {} on {} as {}", getpid(), base::HostName(),
                     session_.conn->DatabaseUser());
}

Status Runner::LoadParts() {
  db::Connection& conn = *session_.conn;
  if (spec_.partition_by.empty()) {
    Part p;
    p.last = KeyFromJson(job_.last_key);
    parts_.push_back(std::move(p));
    return Status::Ok();
  }
  std::set<std::string> known;
  for (const auto& jp : job_.partitions) {
    known.insert(jp.value);
    if (jp.done) continue;
    Part p;
    p.partitioned = true;
    p.value_json = jp.value;
    auto v = KeyFromJson("[" + jp.value + "]");
    p.value = v.empty() ? db::Value() : v[0];
    p.last = KeyFromJson(jp.last_key);
    parts_.push_back(std::move(p));
  }
  STRATA_ASSIGN_OR_RETURN(auto r, conn.Query(DistinctPartitions(spec_)));
  for (const auto& row : r.rows) {
    std::string vj = KeyToJson({row[0]});
    vj = vj.substr(1, vj.size() - 2);
    if (known.count(vj)) continue;
    known.insert(vj);
    Part p;
    p.partitioned = true;
    p.value_json = vj;
    p.value = row[0];
    parts_.push_back(std::move(p));
  }
  return Status::Ok();
}

void Runner::ApplyOverrides(const std::string& overrides) {
  auto o = json::parse(overrides, nullptr, false);
  if (!o.is_object()) return;
  if (o.contains("chunk_size") && o["chunk_size"].is_number_integer()) {
    size_ = o["chunk_size"].get<std::int64_t>();
    pacing_.size = size_;
    pacing_.min_size = std::min(pacing_.min_size, size_);
    pacing_.max_size = std::max(pacing_.max_size, size_);
  }
  if (o.contains("max_rows_per_second") && o["max_rows_per_second"].is_number()) {
    pacing_.max_rows_per_second = o["max_rows_per_second"].get<double>();
    rate_rows_ = 0;  // a new limit starts its own schedule
    rate_start_ms_ = base::MonotonicMillis();
  }
  if (o.contains("target_duration_ms") && o["target_duration_ms"].is_number_integer()) {
    pacing_.target_ms = o["target_duration_ms"].get<std::int64_t>();
  }
  if (o.contains("max_replica_lag_ms") && o["max_replica_lag_ms"].is_number_integer()) {
    max_lag_ = Millis(o["max_replica_lag_ms"].get<std::int64_t>());
  }
}

void Runner::NoteOverrides(const std::string& overrides) {
  if (overrides == overrides_seen_ || overrides.empty()) return;
  overrides_seen_ = overrides;
  ApplyOverrides(overrides);
  Emit(BackfillEvent::Reconfigured{overrides});
}

std::vector<db::Statement> Runner::ChunkBegin() const {
  std::vector<db::Statement> out{{std::string(session_.conn->BeginSql()), {}}};
  if (pg_) {
    out.push_back({fmt::format("SET LOCAL lock_timeout = {}", spec_.lock_timeout.count()), {}});
    out.push_back(
        {fmt::format("SET LOCAL statement_timeout = {}", spec_.statement_timeout.count()), {}});
    // The chunk's COMMIT does not wait for its WAL flush. Safe: the rows and the checkpoint
    // that describes them commit together, so a server crash loses the last chunks with their
    // checkpoints (never one without the other) and the resumed run redoes them from the
    // checkpoint it reads back; the run's last write (its status) is synchronous, and flushing
    // it flushes every chunk before it.
    out.push_back({"SET LOCAL synchronous_commit = off", {}});
    // Who is writing, for triggers that need to know (job names are [A-Za-z0-9_.-]).
    out.push_back({fmt::format("SET LOCAL strata.backfill = '{}'", spec_.name), {}});
  }
  return out;
}

Status Runner::PollControl(bool& stop_loop) {
  bool announced = false;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(auto c, store_->ReadControl(job_.id));
    NoteOverrides(c.overrides);
    if (c.status == kCancelled) {
      job_.status = kCancelled;
      stop_loop = true;
      return Status::Ok();
    }
    if (c.status != kPaused) {
      if (announced) Emit(BackfillEvent::Resumed{});
      return Status::Ok();
    }
    if (!announced) {
      Emit(BackfillEvent::Paused{});
      test_hold_.Paused();
      announced = true;
    }
    Sleep(250);
    if (StopRequested()) {
      stop_loop = true;
      job_.status = kPaused;  // stays paused; the runner just leaves
      return Status::Ok();
    }
  }
}

Result<std::int64_t> Runner::MeasureLag() {
  if (!replica_url_.empty()) {
    if (!replica_ || !replica_->Alive()) {
      STRATA_ASSIGN_OR_RETURN(auto u, db::ParseUrl(replica_url_));
      u.may_create = false;
      STRATA_ASSIGN_OR_RETURN(replica_, db::Connect(u, "strata backfill lag probe"));
    }
    STRATA_ASSIGN_OR_RETURN(
        auto r, replica_->Query(
                    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
                    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                    "ELSE coalesce((extract(epoch FROM now() - pg_last_xact_replay_timestamp()) "
                    "* 1000)::bigint, 0) END"));
    return r.rows.empty() ? 0 : ToInt(r.rows[0][0]);
  }
  STRATA_ASSIGN_OR_RETURN(auto r, session_.conn->Query(kPrimaryLagSql));
  return r.rows.empty() ? 0 : ToInt(r.rows[0][0]);
}

Status Runner::ReplicaGate(bool& stop_loop) {
  if (!pg_ || max_lag_.count() <= 0) return Status::Ok();
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(auto lag, MeasureLag());
    if (lag <= max_lag_.count()) return Status::Ok();
    Emit(BackfillEvent::Throttle{
        ThrottleReason::kReplicaLag, 500, lag,
        fmt::format("replica lag {} is above max_replica_lag {}", base::FormatDuration(Millis(lag)),
                    base::FormatDuration(max_lag_))});
    Sleep(500);
    if (StopRequested()) {
      stop_loop = true;
      return Status::Ok();
    }
    STRATA_TRY(PollControl(stop_loop));
    if (stop_loop) return Status::Ok();
  }
}

Status Runner::Bisect(Part& part, const std::vector<db::Row>& keys, size_t lo, size_t hi,
                      const std::vector<db::Value>& lower, const std::vector<db::Value>& upper,
                      int attempt, ChunkResult& out) {
  db::Connection& conn = *session_.conn;
  ChunkBounds b{part.partitioned, part.value, lower, upper};
  auto upd = ChangeRange(spec_, b);
  STRATA_TRY(conn.Exec("SAVEPOINT strata_bisect"));
  auto r = conn.Query(upd.sql, upd.params);
  if (r.ok()) {
    out.rows += std::max<std::int64_t>(r->rows_affected, 0);
    return conn.Exec("RELEASE SAVEPOINT strata_bisect");
  }
  Status err = r.error();
  STRATA_TRY(conn.Exec("ROLLBACK TO SAVEPOINT strata_bisect"));
  STRATA_TRY(conn.Exec("RELEASE SAVEPOINT strata_bisect"));
  if (IsTransient(err) || IsConnectionLost(err)) return err;
  if (lo == hi) {
    std::string key = KeyToJson(keys[lo]);
    STRATA_TRY(store_->RecordFailure(job_.id, key, base::RedactSecrets(err.message()),
                                     err.sqlstate(), attempt));
    ++out.failed;
    BackfillEvent e = BackfillEvent::RowFailed{key, err.sqlstate()};
    e.partition = part.value_json;
    Emit(e);
    return Status::Ok();
  }
  size_t mid = lo + (hi - lo) / 2;
  STRATA_TRY(Bisect(part, keys, lo, mid, lower, keys[mid], attempt, out));
  return Bisect(part, keys, mid + 1, hi, keys[mid], upper, attempt, out);
}

db::Connection* Runner::Worker(size_t i) {
  if (workers_.size() <= i) workers_.resize(i + 1);
  if (workers_[i] && workers_[i]->Alive()) return workers_[i].get();
  workers_[i].reset();
  // The same application name as the runner's own session ("strata backfill run pid ..."), so
  // whoever looks for the runner's backends finds these too.
  auto s = session::Open(options_, "backfill run");
  if (!s.ok()) {
    workers_off_ = true;
    res_.warnings.push_back(fmt::format(
        "could not open a connection for chunk worker {} ({}); the run goes on with one "
        "connection",
        i + 1, FirstLine(s.error().message())));
    return nullptr;
  }
  workers_[i] = std::move(s->conn);
  return workers_[i].get();
}

Runner::WorkerOut Runner::RunWorker(db::Connection* c, std::vector<db::Statement> open,
                                    std::vector<db::Statement> close,
                                    std::vector<std::pair<size_t, size_t>> rows_at, bool waiters) {
  WorkerOut w;
  auto fail = [&](Status st) {
    w.status = std::move(st);
    w.rows = 0;
    w.lost = IsConnectionLost(w.status) || !c->Alive();
    if (!w.lost) (void)c->Exec("ROLLBACK");
    return w;
  };
  auto t0 = base::MonotonicMillis();
  auto opened = c->QueryPipeline(open);
  w.work_ms = base::MonotonicMillis() - t0;
  if (!opened.ok()) return fail(opened.error());
  w.rows = std::max<std::int64_t>(opened->back().rows_affected, 0);
  for (auto [stmt, param] : rows_at) close[stmt].params[param] = std::to_string(w.rows);
  auto closed = c->QueryPipeline(close);
  if (!closed.ok()) return fail(closed.error());
  if (waiters && !(*closed)[0].rows.empty()) {
    w.lock_waiters = ToInt((*closed)[0].rows[0][0]);
    w.longest_wait_ms = ToInt((*closed)[0].rows[0][1]);
  }
  return w;
}

bool Runner::RetryAfter(const Status& st, int attempt, const Part& part) {
  if (!IsTransient(st) || attempt > spec_.retries) return false;
  // lock_timeout / statement_timeout: a smaller chunk holds its locks for less time.
  if (st.sqlstate() == "55P03" || st.sqlstate() == "57014") {
    size_ = std::max(pacing_.min_size, size_ / 2);
  }
  std::uniform_real_distribution<double> jitter(0, 1);
  auto wait = RetryBackoffMs(spec_.retry_backoff.count(), attempt, jitter(rng_));
  BackfillEvent e = BackfillEvent::Retry{attempt, st.sqlstate(), st.message(), wait};
  e.partition = part.value_json;
  Emit(e);
  Sleep(wait);
  return !StopRequested();
}

Status Runner::BisectRange(Part& part, const ChunkBounds& b, int attempt, ChunkResult& out) {
  std::vector<db::Statement> again{{"ROLLBACK", {}}};
  for (auto& s : ChunkBegin()) again.push_back(std::move(s));
  auto sel = SelectKeys(spec_, b, 0);
  again.push_back({sel.sql, sel.params});
  STRATA_ASSIGN_OR_RETURN(auto reopened, session_.conn->QueryPipeline(again));
  const auto& keys = reopened.back().rows;
  if (keys.empty()) return Status::Ok();
  return Bisect(part, keys, 0, keys.size() - 1, b.lower, b.upper, attempt, out);
}

Result<ChunkResult> Runner::RunChunk(Part& part) {
  db::Connection& conn = *session_.conn;
  for (int attempt = 1;; ++attempt) {
    ChunkResult out;
    out.attempts = attempt;
    // Rows the workers committed in this attempt (counted in the job row with them).
    std::int64_t worker_rows = 0;
    auto t0 = base::MonotonicMillis();
    auto rollback = [&] {
      if (conn.Alive()) (void)conn.Exec("ROLLBACK");
    };
    Status st = [&]() -> Status {
      // The first round trip (a pipeline on PostgreSQL): BEGIN and the timeouts, the job row's
      // control fields (pause, cancel, `backfill set`), the replica lag when the primary
      // measures it, and the chunk's upper bound with the number of candidates up to it (only
      // these leave the server, not the keys).
      ChunkBounds b{part.partitioned, part.value, part.last, {}};
      std::int64_t limit = size_;
      // Several workers: the chunk is `workers` ranges of `size` candidates, cut on the server
      // (ChunkSplits, one row per range); one: its upper bound (ChunkUpperBound). Either way the
      // last column is a count of candidates (up to the cut).
      int workers = Workers();
      auto make_bound = [&](std::int64_t n) {
        return workers > 1 ? ChunkSplits(spec_, b, n, workers) : ChunkUpperBound(spec_, b, n);
      };
      auto bound = make_bound(limit);
      std::vector<db::Statement> first = ChunkBegin();
      size_t control_at = first.size();
      first.push_back(Store::ControlStatement(job_.id));
      bool lag_in_chunk = LagInChunk();
      if (lag_in_chunk) first.push_back({kPrimaryLagSql, {}});
      size_t bound_at = first.size() + BoundAt(pg_);
      for (auto& w : WalkKeyIndex(bound, pg_)) first.push_back(std::move(w));
      STRATA_ASSIGN_OR_RETURN(auto opened, conn.QueryPipeline(first));
      STRATA_ASSIGN_OR_RETURN(auto control, Store::ParseControl(opened[control_at]));
      NoteOverrides(control.overrides);
      if (control.status == kPaused || control.status == kCancelled) {
        out.halted = true;
        return conn.Exec("ROLLBACK");
      }
      if (lag_in_chunk) {
        const auto& lag = opened[control_at + 1].rows;
        if (!lag.empty() && ToInt(lag[0][0]) > max_lag_.count()) {
          out.lagging = true;
          return conn.Exec("ROLLBACK");
        }
      }
      db::QueryResult bound_r = std::move(opened[bound_at]);
      if (size_ != limit) {  // `backfill set chunk_size` just now
        bound = make_bound(size_);
        STRATA_ASSIGN_OR_RETURN(auto again, conn.QueryPipeline(WalkKeyIndex(bound, pg_)));
        bound_r = std::move(again[BoundAt(pg_)]);
      }
      if (bound_r.rows.empty()) {
        out.exhausted = true;
        std::vector<db::Statement> done;
        if (part.partitioned) {
          done.push_back(store_->CheckpointPartition(job_.id, part.value_json, "", 0, 0, true));
        }
        done.push_back({"COMMIT", {}});
        return conn.QueryPipeline(done).status();
      }
      // The cuts: each range's inclusive upper key, in key order; the last is the chunk's.
      std::vector<std::vector<db::Value>> cuts;
      for (db::Row& top : bound_r.rows) {
        if (top.size() != spec_.key.size() + 1) {
          return Status(ErrorCode::kInternal,
                        fmt::format("the chunk bound query returned {} column(s), expected {}",
                                    top.size(), spec_.key.size() + 1));
        }
        out.keys = ToInt(top.back());
        top.pop_back();
        cuts.push_back(std::move(top));
      }
      b.upper = cuts.back();
      // Ranges 2.. go to the workers, each its own transaction on its own connection, at the
      // same time as the runner's own UPDATE of range 1, (checkpoint, first cut]. A worker
      // commits its rows with their count (not the checkpoint): if the run dies before the
      // runner's COMMIT, the checkpoint is still below them, the resumed run's candidates no
      // longer include them, and it goes on from there (nothing skipped, nothing counted twice).
      // A range whose worker failed (or could not be opened) the runner changes itself, in its
      // own transaction, before the checkpoint moves past it.
      bool waiters = pg_ && pacing_.lock_wait_backoff;
      std::vector<std::pair<size_t, std::future<WorkerOut>>> running;
      std::vector<size_t> mine;  // ranges (index into cuts) the runner changes itself
      for (size_t i = 1; i < cuts.size(); ++i) {
        db::Connection* wc = Worker(i);
        if (!wc) {
          mine.push_back(i);
          continue;
        }
        auto upd = ChangeRange(spec_, {part.partitioned, part.value, cuts[i - 1], cuts[i]});
        std::vector<db::Statement> open = ChunkBegin();
        open.push_back({upd.sql, upd.params});
        std::vector<db::Statement> close;
        std::vector<std::pair<size_t, size_t>> rows_at;
        if (waiters) close.push_back({kLockWaitersSql, {}});
        rows_at.emplace_back(close.size(), 1);
        close.push_back(store_->AddProcessed(job_.id, 0));
        if (part.partitioned) {
          rows_at.emplace_back(close.size(), 3);
          close.push_back(store_->CheckpointPartition(job_.id, part.value_json, "", 0, 0, false));
        }
        close.push_back({"COMMIT", {}});
        running.emplace_back(i,
                             std::async(std::launch::async, &Runner::RunWorker, wc, std::move(open),
                                        std::move(close), std::move(rows_at), waiters));
      }
      auto w0 = base::MonotonicMillis();
      b.upper = cuts[0];
      auto upd = ChangeRange(spec_, b);
      b.upper = cuts.back();
      auto r = conn.Query(upd.sql, upd.params);
      for (auto& [i, f] : running) {
        WorkerOut w = f.get();
        if (w.status.ok()) {
          worker_rows += w.rows;
          out.lock_waiters += w.lock_waiters;
          out.longest_wait_ms = std::max(out.longest_wait_ms, w.longest_wait_ms);
          continue;
        }
        if (w.lost) workers_[i].reset();
        mine.push_back(i);
      }
      std::sort(mine.begin(), mine.end());
      std::int64_t own_rows = r.ok() ? std::max<std::int64_t>(r->rows_affected, 0) : 0;
      for (size_t i : mine) {
        if (!r.ok()) break;
        auto more = ChangeRange(spec_, {part.partitioned, part.value, cuts[i - 1], cuts[i]});
        r = conn.Query(more.sql, more.params);
        if (r.ok()) own_rows += std::max<std::int64_t>(r->rows_affected, 0);
      }
      out.work_ms = base::MonotonicMillis() - w0;
      if (r.ok()) {
        out.rows = own_rows;
      } else {
        Status err = r.error();
        if (IsTransient(err) || IsConnectionLost(err)) return err;
        STRATA_TRY(BisectRange(part, b, attempt, out));
        out.work_ms = base::MonotonicMillis() - w0;
      }
      // The last round trip (a pipeline on PostgreSQL): the sessions waiting on the chunk's
      // locks, the checkpoint, COMMIT.
      std::string last = KeyToJson(b.upper);
      std::vector<db::Statement> close;
      if (waiters) close.push_back({kLockWaitersSql, {}});
      close.push_back(store_->Checkpoint(job_.id, last, out.rows, out.failed, size_));
      if (part.partitioned) {
        close.push_back(store_->CheckpointPartition(job_.id, part.value_json, last, out.rows,
                                                    out.failed, false));
      }
      close.push_back({"COMMIT", {}});
      STRATA_ASSIGN_OR_RETURN(auto closed, conn.QueryPipeline(close));
      if (waiters && !closed[0].rows.empty()) {
        out.lock_waiters += ToInt(closed[0].rows[0][0]);
        out.longest_wait_ms = std::max(out.longest_wait_ms, ToInt(closed[0].rows[0][1]));
      }
      part.last = std::move(b.upper);
      return Status::Ok();
    }();
    out.elapsed_ms = base::MonotonicMillis() - t0;
    if (st.ok()) {
      out.rows += worker_rows;
      return out;
    }
    // The workers' committed rows count even though the runner's transaction did not commit:
    // the job row has them already.
    processed_ += worker_rows;
    res_.rows_this_run += worker_rows;
    rollback();
    if (!RetryAfter(st, attempt, part)) return st;
  }
}

Result<ChunkResult> Runner::RunQueue(Part& part) {
  db::Connection& conn = *session_.conn;
  const int workers = Workers();
  const bool waiters = pg_ && pacing_.lock_wait_backoff;
  ChunkResult res;
  res.counted = true;
  struct Range {
    std::int64_t seq = 0;  // its place in key order
    std::vector<db::Value> lower, upper;
  };
  struct Flight {
    Range range;
    std::future<WorkerOut> out;
  };
  // The workers' threads say when one of them finished.
  struct Signal {
    std::mutex mu;
    std::condition_variable cv;
    int finished = 0;
  };
  auto signal = std::make_shared<Signal>();
  std::deque<Range> pending;  // cut, not yet started
  std::vector<std::optional<Flight>> slots(static_cast<size_t>(workers));
  std::map<std::int64_t, std::vector<db::Value>> committed;  // above the checkpoint: seq → upper
  std::vector<db::Value> cut_from = part.last;
  std::vector<db::Value> checkpoint;  // the upper of range checkpoint_seq - 1, once advanced
  std::int64_t next_seq = 0, checkpoint_seq = 0;
  bool advanced = false, exhausted = false, first = true;
  // Fewer than `workers` full ranges were left at the last cut: the rest (under `size`
  // candidates) is cut by ChunkUpperBound, until it finds none.
  bool tail = false;
  Status failed_with;  // ends the queue once the ranges in flight have ended
  int trip_errors = 0;
  auto in_flight = [&] {
    return std::count_if(slots.begin(), slots.end(), [](const auto& f) { return f.has_value(); });
  };
  auto stopping = [&] {
    return !failed_with.ok() || StopRequested() || res.halted || res.lagging ||
           Workers() != workers;
  };
  // A range that committed: counted, paced (not while draining), and the checkpoint moved past
  // every range below it that committed too.
  auto settle = [&](const Range& r, const ChunkResult& cr) {
    committed[r.seq] = r.upper;
    while (!committed.empty() && committed.begin()->first == checkpoint_seq) {
      checkpoint = std::move(committed.begin()->second);
      committed.erase(committed.begin());
      ++checkpoint_seq;
      advanced = true;
    }
    Count(part, cr);
    if (!over_budget_.ok()) return;  // the job is marked failed once; the queue drains
    if (Status b = CheckFailureBudget(); !b.ok()) {
      over_budget_ = b;
      if (failed_with.ok()) failed_with = std::move(b);
    }
    if (!stopping()) Pace(cr);
  };
  // The ranges whose worker finished (every one in flight, waiting for them, when `all`). A range
  // whose worker failed is changed by the runner itself, unless the queue is ending on an error
  // (it stays above the checkpoint: the resumed run does it).
  auto harvest = [&](bool all) {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (!slots[i]) continue;
      if (!all && slots[i]->out.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        continue;
      }
      WorkerOut w = slots[i]->out.get();
      Range r = std::move(slots[i]->range);
      slots[i].reset();
      ChunkResult cr;
      if (w.status.ok()) {
        cr.rows = w.rows;
        cr.lock_waiters = w.lock_waiters;
        cr.longest_wait_ms = w.longest_wait_ms;
        cr.elapsed_ms = w.elapsed_ms;
        cr.work_ms = w.work_ms;
      } else {
        if (w.lost) workers_[i + 1].reset();
        if (!failed_with.ok()) continue;
        auto redo = RedoRange(part, r.lower, r.upper);
        if (!redo.ok()) {
          failed_with = redo.error();
          continue;
        }
        cr = *redo;
      }
      settle(r, cr);
    }
  };
  // Each free worker takes the next range.
  auto dispatch = [&] {
    for (size_t i = 0; i < slots.size() && !stopping() && !pending.empty(); ++i) {
      if (slots[i]) continue;
      db::Connection* wc = Worker(i + 1);
      if (!wc) break;  // Workers() is 1 from now on: the queue drains and the run goes on alone
      Range r = std::move(pending.front());
      pending.pop_front();
      auto upd = ChangeRange(spec_, {false, {}, r.lower, r.upper});
      std::vector<db::Statement> open = ChunkBegin();
      open.push_back({upd.sql, upd.params});
      std::vector<db::Statement> close;
      if (waiters) close.push_back({kLockWaitersSql, {}});
      std::vector<std::pair<size_t, size_t>> rows_at{{close.size(), 1}};
      close.push_back(store_->CommitRange(job_.id, 0, 0));
      close.push_back({"COMMIT", {}});
      auto run = [wc, open = std::move(open), close = std::move(close),
                  rows_at = std::move(rows_at), waiters, signal]() mutable {
        auto t0 = base::MonotonicMillis();
        WorkerOut w = RunWorker(wc, std::move(open), std::move(close), std::move(rows_at), waiters);
        w.elapsed_ms = base::MonotonicMillis() - t0;
        {
          std::lock_guard<std::mutex> l(signal->mu);
          ++signal->finished;
        }
        signal->cv.notify_all();
        return w;
      };
      slots[i] = Flight{std::move(r), std::async(std::launch::async, std::move(run))};
    }
  };
  for (;;) {
    if (!stopping()) test_hold_.At(processed_, [this] { return StopRequested(); });
    dispatch();  // before the round trip: a worker that just finished does not wait for it
    // The runner's round trip, one pipeline and transaction: the job row's control fields, the
    // replica lag, the next `workers` ranges cut from the last cut (while the workers run the
    // ranges before it), and the checkpoint.
    bool need_cut = !stopping() && !exhausted && pending.size() < slots.size();
    if (need_cut || advanced || first) {
      first = false;
      std::vector<db::Statement> trip = ChunkBegin();
      size_t control_at = trip.size();
      trip.push_back(Store::ControlStatement(job_.id));
      bool lag_in_chunk = LagInChunk() && !stopping();
      if (lag_in_chunk) trip.push_back({kPrimaryLagSql, {}});
      size_t bound_at = 0;
      std::int64_t limit = size_;
      if (need_cut) {
        bound_at = trip.size() + BoundAt(pg_);
        ChunkBounds b{false, {}, cut_from, {}};
        auto cut = tail ? ChunkUpperBound(spec_, b, limit) : ChunkCuts(spec_, b, limit, workers);
        for (auto& w : WalkKeyIndex(cut, pg_)) trip.push_back(std::move(w));
      }
      bool moving = advanced;
      if (moving) trip.push_back(store_->MoveCheckpoint(job_.id, KeyToJson(checkpoint), size_));
      trip.push_back({"COMMIT", {}});
      auto done = conn.QueryPipeline(trip);
      if (!done.ok()) {
        if (conn.Alive()) (void)conn.Exec("ROLLBACK");
        if (!stopping() && IsTransient(done.error()) && ++trip_errors <= spec_.retries) {
          std::uniform_real_distribution<double> jitter(0, 1);
          Sleep(RetryBackoffMs(spec_.retry_backoff.count(), trip_errors, jitter(rng_)));
          continue;
        }
        if (failed_with.ok()) failed_with = done.error();
        advanced = false;  // the checkpoint stays where it was: safe, and the resumed run moves it
      } else {
        trip_errors = 0;
        if (moving) {
          part.last = checkpoint;
          advanced = false;
        }
        auto control = Store::ParseControl((*done)[control_at]);
        if (!control.ok()) {
          if (failed_with.ok()) failed_with = control.error();
        } else {
          NoteOverrides(control->overrides);
          if (control->status == kPaused || control->status == kCancelled) res.halted = true;
        }
        if (lag_in_chunk) {
          const auto& lag = (*done)[control_at + 1].rows;
          if (!lag.empty() && ToInt(lag[0][0]) > max_lag_.count()) res.lagging = true;
        }
        if (need_cut && !stopping()) {
          auto& rows = (*done)[bound_at].rows;
          if (tail) {
            exhausted = rows.empty();
            // A full range (rows inserted meanwhile): back to cutting `workers` at a time.
            tail = rows.empty() || ToInt(rows[0].back()) < limit;
          } else {
            tail = rows.size() < slots.size();
          }
          for (db::Row& top : rows) {
            if (top.size() != spec_.key.size() + 1) {
              failed_with = Status(ErrorCode::kInternal,
                                   fmt::format("the chunk bound query returned {} column(s), "
                                               "expected {}",
                                               top.size(), spec_.key.size() + 1));
              break;
            }
            top.pop_back();
            pending.push_back(Range{next_seq++, cut_from, top});
            cut_from = std::move(top);
          }
        }
      }
    }
    dispatch();
    if (in_flight() == 0) {
      if (advanced) continue;  // the last checkpoint first
      if (stopping()) break;
      if (exhausted && pending.empty()) {
        res.exhausted = true;
        break;
      }
      continue;
    }
    // Wait for a worker, unless the next ranges are to be cut (while these run) or the
    // checkpoint to be moved.
    bool cut_due = !stopping() && !exhausted && pending.size() < slots.size();
    if (!cut_due && !advanced) {
      std::unique_lock<std::mutex> l(signal->mu);
      signal->cv.wait_for(l, std::chrono::milliseconds(100), [&] { return signal->finished > 0; });
      signal->finished = 0;
    }
    harvest(stopping() && !failed_with.ok());
  }
  if (!failed_with.ok()) return failed_with;
  return res;
}

Result<ChunkResult> Runner::RedoRange(Part& part, const std::vector<db::Value>& lower,
                                      const std::vector<db::Value>& upper) {
  db::Connection& conn = *session_.conn;
  const bool waiters = pg_ && pacing_.lock_wait_backoff;
  for (int attempt = 1;; ++attempt) {
    ChunkResult out;
    out.attempts = attempt;
    auto t0 = base::MonotonicMillis();
    Status st = [&]() -> Status {
      ChunkBounds b{part.partitioned, part.value, lower, upper};
      auto upd = ChangeRange(spec_, b);
      std::vector<db::Statement> open = ChunkBegin();
      open.push_back({upd.sql, upd.params});
      auto r = conn.QueryPipeline(open);
      if (r.ok()) {
        out.rows = std::max<std::int64_t>(r->back().rows_affected, 0);
      } else {
        Status err = r.error();
        if (IsTransient(err) || IsConnectionLost(err)) return err;
        STRATA_TRY(BisectRange(part, b, attempt, out));
      }
      out.work_ms = base::MonotonicMillis() - t0;
      std::vector<db::Statement> close;
      if (waiters) close.push_back({kLockWaitersSql, {}});
      close.push_back(store_->CommitRange(job_.id, out.rows, out.failed));
      close.push_back({"COMMIT", {}});
      STRATA_ASSIGN_OR_RETURN(auto closed, conn.QueryPipeline(close));
      if (waiters && !closed[0].rows.empty()) {
        out.lock_waiters = ToInt(closed[0].rows[0][0]);
        out.longest_wait_ms = ToInt(closed[0].rows[0][1]);
      }
      return Status::Ok();
    }();
    out.elapsed_ms = base::MonotonicMillis() - t0;
    if (st.ok()) return out;
    if (conn.Alive()) (void)conn.Exec("ROLLBACK");
    if (!RetryAfter(st, attempt, part)) return st;
  }
}

Status Runner::Fail(Status s) {
  if (store_ && !job_.id.empty() && session_.conn && session_.conn->Alive()) {
    (void)store_->SetStatus(job_.id, kInterrupted, base::RedactSecrets(s.message()), false);
    job_.status = kInterrupted;
  }
  if (s.hint().empty()) {
    s =
        std::move(s).WithHint(fmt::format("fix the cause and rerun `strata backfill run {}`: it "
                                          "resumes from its checkpoint",
                                          spec_.name));
  }
  return s;
}

Status Runner::Recover(Status s) {
  if (!IsConnectionLost(s) || !session_.conn) return s;
  // A replica probe's error is not the session's: the session must itself be gone.
  if (session_.conn->Alive() && session_.conn->Query("SELECT 1").ok()) return s;
  return Reconnect(s);
}

Status Runner::Reconnect(const Status& lost) {
  auto t0 = base::MonotonicMillis();
  // The dead session took its advisory lock with it (SQLite keeps its lock file: it never
  // loses a connection this way).
  store_.reset();
  session_.conn.reset();
  locked_ = false;
  Status last = lost;
  int attempt = 0;
  auto gave_up = [&](std::string why) {
    return Status(ErrorCode::kConnection,
                  fmt::format("backfill job `{}` lost its connection to {} ({}) and {}: {}",
                              spec_.name, res_.target, FirstLine(lost.message()), why,
                              FirstLine(last.message())))
        .WithHint(fmt::format("the checkpoint ({} row(s) done) is safe in strata_backfill_job; "
                              "once the database is reachable, rerun `strata backfill run {}`: "
                              "it resumes from there",
                              processed_, spec_.name));
  };
  while (attempt < spec_.reconnect_attempts) {
    ++attempt;
    std::uniform_real_distribution<double> jitter(0, 1);
    auto wait = RetryBackoffMs(spec_.reconnect_backoff.count(), attempt, jitter(rng_));
    {
      Emit(
          BackfillEvent::ConnectionLost{attempt, wait, last.sqlstate(), FirstLine(last.message())});
    }
    Sleep(wait);
    if (StopRequested()) return gave_up("was stopped by a signal while reconnecting");
    Attempt a = Relock();
    if (a.outcome == Attempt::kDone) a = ReloadCheckpoint();
    if (a.outcome == Attempt::kFatal) return a.status;
    if (a.outcome == Attempt::kRetry) {
      last = a.status;
      continue;
    }
    ++res_.reconnects;
    std::string msg = fmt::format(
        "reconnected after {} attempt(s) in {}; resuming from the checkpoint after {} row(s)",
        attempt, base::FormatDuration(Millis(base::MonotonicMillis() - t0)), processed_);
    res_.warnings.push_back(
        fmt::format("lost the connection ({}); {}", FirstLine(lost.message()), msg));
    Emit(BackfillEvent::Reconnected{attempt, msg});
    return Status::Ok();
  }
  return gave_up(fmt::format("could not reconnect in {} attempt(s) over {}", attempt,
                             base::FormatDuration(Millis(base::MonotonicMillis() - t0))));
}

Runner::Attempt Runner::Relock() {
  auto s = session::Open(options_, "backfill run");
  if (!s.ok()) return {Attempt::kRetry, s.error()};
  auto got = s->conn->TryLock(JobLockName(spec_.name));
  if (!got.ok()) return {Attempt::kRetry, got.error()};
  if (!*got) {
    const std::string ours = fmt::format("strata backfill run pid {} on", getpid());
    auto holder = s->conn->DescribeLockHolder(JobLockName(spec_.name));
    if (holder && holder->description.find(ours) == std::string::npos) {
      return {Attempt::kFatal,
              Status(ErrorCode::kLockTimeout,
                     fmt::format("backfill job `{}` lost its connection to {}, and another "
                                 "runner took the job over before it could reconnect: {}",
                                 spec_.name, res_.target, holder->description))
                  .WithHint(fmt::format("watch it with `strata backfill status {}`", spec_.name))};
    }
    // This runner's previous session, not yet reaped by the server, still holds the lock.
    return {Attempt::kRetry,
            Status(ErrorCode::kLockTimeout,
                   "the job lock is still held by this runner's previous session")};
  }
  session_ = std::move(*s);
  locked_ = true;
  store_ = std::make_unique<Store>(*session_.conn);
  return {Attempt::kDone, Status::Ok()};
}

Runner::Attempt Runner::ReloadCheckpoint() {
  auto row = store_->Latest(spec_.name);
  if (!row.ok()) return {Attempt::kRetry, row.error()};
  if (!*row || (*row)->id != job_.id) {
    return {Attempt::kFatal,
            Status(ErrorCode::kBackfillState,
                   fmt::format("backfill job `{}` run {} was superseded while the connection "
                               "was down",
                               spec_.name, job_.run_no))
                .WithHint(fmt::format("see `strata backfill status {}`", spec_.name))};
  }
  JobState& j = **row;
  res_.rows_this_run += j.processed - processed_;
  res_.failed_this_run += j.failed - failed_;
  processed_ = j.processed;
  failed_ = j.failed;
  chunks_total_ = j.chunks;
  job_.last_key = j.last_key;
  job_.partitions = j.partitions;
  parts_.clear();
  next_part_ = 0;
  if (Status ls = LoadParts(); !ls.ok()) return {Attempt::kRetry, ls};
  if (Status ss = store_->StartRunner(job_.id, RunnerDescription()); !ss.ok()) {
    return {Attempt::kRetry, ss};
  }
  return {Attempt::kDone, Status::Ok()};
}

Status Runner::Finish() {
  db::Connection& conn = *session_.conn;
  std::string status = kCompleted;
  std::string message;
  Status result;
  if (!spec_.verify_query.empty()) {
    auto r = verify::QueryReadOnly(conn, spec_.verify_query);  // it only reads (issue 14)
    if (!r.ok()) {
      status = kVerificationFailed;
      message = fmt::format("verification query failed: {}", r.error().message());
      result = Status(ErrorCode::kCheckFailed, message).WithSpan({spec_.path, 0, 0});
    } else {
      std::string actual =
          r->rows.empty() || r->rows[0].empty() ? "(no rows)" : Text(r->rows[0][0]);
      if (!r->rows.empty() && !r->rows[0].empty() && !r->rows[0][0]) actual = "NULL";
      res_.verify_actual = actual;
      res_.verify_expected = spec_.verify_expect;
      Emit(BackfillEvent::Verify{actual, spec_.verify_expect});
      if (!SameValue(actual, spec_.verify_expect)) {
        status = kVerificationFailed;
        message = fmt::format(
            "verification query returned {}, expected {} ({} rows processed, "
            "{} failed)",
            actual, spec_.verify_expect, processed_, failed_);
        result = Status(ErrorCode::kCheckFailed,
                        fmt::format("backfill job `{}`: {}", spec_.name, message))
                     .WithSpan({spec_.path, 0, 0})
                     .WithHint(fmt::format(
                         "inspect the rows the [verify] query counts, fix them or the job, then "
                         "`strata backfill run {} --restart`",
                         spec_.name));
      }
    }
  }
  if (status == kCompleted && failed_ > 0) {
    status = kCompletedWithFailures;
    message =
        fmt::format("{} row(s) failed and were quarantined in strata_backfill_failure", failed_);
    result = Status(ErrorCode::kBackfillFailed,
                    fmt::format("backfill job `{}` completed with failures: {} row(s) done, {} "
                                "row(s) quarantined",
                                spec_.name, processed_, failed_))
                 .WithHint(fmt::format("list them with `strata backfill status {} --failures`; "
                                       "after fixing them, `strata backfill run {} --restart` "
                                       "picks them up",
                                       spec_.name, spec_.name));
  }
  STRATA_TRY(store_->SetStatus(job_.id, status, message, true));
  job_.status = status;
  Emit(BackfillEvent::Done{status});
  return result;
}

// The run, step by step: prepare (validate, gate, lock, the job row), the pacing and progress
// state, the chunk loop, then how it ended (cancelled, stopped, or finished and verified).
Status Runner::Main() {
  STRATA_TRY(Prepare());
  if (res_.already_done) return Status::Ok();
  InitPacing();
  if (Status s = LoadParts(); !s.ok()) return Fail(s);
  EstimateTotal();
  AnnounceStart();
  STRATA_TRY(ChunkLoop());
  res_.elapsed_ms = base::MonotonicMillis() - start_ms_;
  if (job_.status == kCancelled) return EndCancelled();
  if (res_.interrupted || StopRequested() || job_.status == kPaused) return EndStopped();
  return FinishAndVerify();
}

void Runner::InitPacing() {
  start_ms_ = base::MonotonicMillis();
  rate_start_ms_ = start_ms_;
  processed_ = job_.processed;
  failed_ = job_.failed;
  chunks_total_ = job_.chunks;
  size_ = spec_.chunk_size;
  if (job_.chunk_size > 0 && job_.processed > 0) size_ = job_.chunk_size;
  pacing_.target_ms = spec_.target_duration.count();
  pacing_.min_size = spec_.min_chunk_size;
  pacing_.max_size = spec_.max_chunk_size;
  pacing_.max_rows_per_second = spec_.max_rows_per_second;
  pacing_.lock_wait_backoff = spec_.lock_wait_backoff;
  pacing_.max_lock_wait_ms = spec_.max_lock_wait.count();
  pacing_.size = spec_.chunk_size;
  max_lag_ = spec_.max_replica_lag;
  replica_url_ = spec_.replica_url.empty() ? settings_.replica_url : spec_.replica_url;
  if (!job_.overrides.empty() && job_.overrides != "{}") {
    overrides_seen_ = job_.overrides;
    ApplyOverrides(job_.overrides);
  }
}

void Runner::EstimateTotal() {
  // Progress total: rows done so far plus the candidates still ahead of the checkpoint.
  ChunkBounds b;
  if (spec_.partition_by.empty()) b.lower = parts_[0].last;
  auto cnt = CountCandidates(spec_, b);
  auto r = session_.conn->Query(cnt.sql, cnt.params);
  if (r.ok() && !r->rows.empty()) {
    total_ = processed_ + ToInt(r->rows[0][0]);
    (void)store_->SetTotal(job_.id, total_);
  }
}

void Runner::AnnounceStart() { Emit(BackfillEvent::Started{job_.run_no, job_.processed}); }

Status Runner::ChunkLoop() {
  // Each chunk reads the job row's control fields as it begins; the runner polls them itself
  // only after a chunk found the job paused or cancelled (and while throttled). Likewise for
  // the replica lag when the primary measures it.
  bool poll_control = false;
  bool lagging = false;
  for (;;) {
    test_hold_.At(processed_, [this] { return StopRequested(); });
    if (StopRequested()) {
      res_.interrupted = true;
      return Status::Ok();
    }
    bool stop_loop = false;
    if (poll_control) {
      poll_control = false;
      if (Status s = PollControl(stop_loop); !s.ok()) {
        if (Status r = Recover(std::move(s)); !r.ok()) return Fail(r);
        continue;
      }
      if (stop_loop) return Status::Ok();
    }
    if (!LagInChunk() || lagging) {
      lagging = false;
      if (Status s = ReplicaGate(stop_loop); !s.ok()) {
        if (Status r = Recover(std::move(s)); !r.ok()) return Fail(r);
        continue;
      }
      if (stop_loop) return Status::Ok();
    }
    bool refreshed = false;
    auto part = NextPart(refreshed);
    if (!part.ok()) {
      if (Status r = Recover(part.error()); !r.ok()) return Fail(r);
      continue;
    }
    if (!*part) {
      if (refreshed) continue;
      return Status::Ok();  // no candidates left anywhere
    }
    bool queue = Workers() > 1 && !(*part)->partitioned;
    auto cr = queue ? RunQueue(**part) : RunChunk(**part);
    if (!over_budget_.ok()) return over_budget_;
    if (!cr.ok()) {
      if (StopRequested() && IsTransient(cr.error())) {
        res_.interrupted = true;
        return Status::Ok();
      }
      if (Status r = Recover(cr.error()); !r.ok()) return Fail(r);
      continue;
    }
    if (cr->halted || cr->lagging) {
      poll_control = cr->halted;
      lagging = cr->lagging;
      continue;
    }
    if (cr->exhausted) {
      (*part)->done = true;
      continue;
    }
    if (cr->counted) continue;
    Count(**part, *cr);
    STRATA_TRY(CheckFailureBudget());
    Pace(*cr);
  }
}

Result<Part*> Runner::NextPart(bool& refreshed) {
  refreshed = false;
  // Round robin over partitions that still have candidates: fairness between tenants.
  for (size_t i = 0; i < parts_.size(); ++i) {
    Part& p = parts_[(next_part_ + i) % parts_.size()];
    if (!p.done) {
      next_part_ = (next_part_ + i + 1) % parts_.size();
      return &p;
    }
  }
  if (spec_.partition_by.empty()) return nullptr;
  // Partitions that appeared while the job ran (new tenants) are handled too.
  STRATA_ASSIGN_OR_RETURN(auto fresh, store_->Latest(spec_.name));
  if (fresh) job_.partitions = fresh->partitions;
  parts_.clear();
  next_part_ = 0;
  STRATA_TRY(LoadParts());
  refreshed = !parts_.empty();
  return nullptr;
}

void Runner::Count(const Part& part, const ChunkResult& cr) {
  processed_ += cr.rows;
  failed_ += cr.failed;
  ++chunks_total_;
  res_.rows_this_run += cr.rows;
  res_.failed_this_run += cr.failed;
  ++res_.chunks_this_run;
  BackfillEvent e = BackfillEvent::Chunk{cr.rows, cr.failed, cr.elapsed_ms, cr.attempts};
  e.partition = part.value_json;
  Emit(e);
}

Status Runner::CheckFailureBudget() {
  // The failure budget: a count and a ratio.
  std::int64_t attempted = processed_ + failed_;
  bool over_count = failed_ > spec_.max_failures;
  bool over_ratio =
      attempted >= spec_.ratio_min_rows &&
      static_cast<double>(failed_) > spec_.max_failure_ratio * static_cast<double>(attempted);
  if (!over_count && !over_ratio) return Status::Ok();
  std::string msg =
      over_count
          ? fmt::format("{} failed row(s) exceed max_failures = {}", failed_, spec_.max_failures)
          : fmt::format("{} failed of {} attempted row(s) exceeds max_failure_ratio = {}", failed_,
                        attempted, spec_.max_failure_ratio);
  STRATA_TRY(store_->SetStatus(job_.id, kFailed, msg, true));
  job_.status = kFailed;
  Emit(BackfillEvent::Done{kFailed});
  return Status(ErrorCode::kBackfillFailed,
                fmt::format("backfill job `{}` stopped: {}", spec_.name, msg))
      .WithSpan({spec_.path, 0, 0})
      .WithHint(fmt::format("inspect `strata backfill status {} --failures`, fix the rows or "
                            "the job, then `strata backfill run {} --restart`",
                            spec_.name, spec_.name));
}

void Runner::Pace(const ChunkResult& cr) {
  ChunkOutcome co{size_,           cr.rows + cr.failed, cr.elapsed_ms,
                  cr.lock_waiters, cr.longest_wait_ms,  cr.work_ms};
  if (pacing_.max_rows_per_second > 0) {
    // The rate over the whole run, not per chunk: time between chunks (checkpoints, events,
    // the key scan) counts. On schedule, a chunk ends at most its own budget (rows / limit)
    // after its rows were due; a run further behind (a stall, a lost connection, a pause) does
    // not catch up in a burst: the clock moves so that it is behind by one budget only.
    rate_rows_ += co.rows;
    auto now = base::MonotonicMillis();
    auto per_ms = pacing_.max_rows_per_second / 1000.0;
    auto due = static_cast<std::int64_t>(static_cast<double>(rate_rows_) / per_ms);
    auto budget = static_cast<std::int64_t>(static_cast<double>(co.rows) / per_ms);
    if (now - rate_start_ms_ > due + budget) rate_start_ms_ = now - due - budget;
    co.paced_rows = rate_rows_;
    co.paced_ms = now - rate_start_ms_;
  }
  Decision d = Decide(pacing_, co);
  size_ = d.next_size;
  if (d.wait_ms <= 0) return;
  if (d.reason && *d.reason != ThrottleReason::kRate) {
    bool waiters = d.reason == ThrottleReason::kLockWaiters;
    Emit(BackfillEvent::Throttle{
        *d.reason, d.wait_ms, waiters ? cr.longest_wait_ms : cr.elapsed_ms,
        waiters
            ? fmt::format("{} session(s) waited on the chunk's locks", cr.lock_waiters)
            : fmt::format("chunk took {} (target {})", base::FormatDuration(Millis(cr.elapsed_ms)),
                          base::FormatDuration(Millis(pacing_.target_ms)))});
  }
  Sleep(d.wait_ms);
}

Status Runner::EndCancelled() {
  res_.next_step =
      fmt::format("cancelled; start over with `strata backfill run {} --restart`", spec_.name);
  Emit(BackfillEvent::Done{kCancelled});
  return Status::Ok();
}

Status Runner::EndStopped() {
  res_.interrupted = true;
  if (job_.status != kPaused) {
    STRATA_TRY(store_->SetStatus(job_.id, kInterrupted,
                                 "stopped by a signal after a committed chunk", false));
    job_.status = kInterrupted;
  }
  res_.next_step = fmt::format(
      "stopped cleanly after {} row(s); resume with `strata backfill "
      "run {}`",
      processed_, spec_.name);
  Emit(BackfillEvent::Done{job_.status});
  // Paused by `strata backfill pause`: what was asked. Stopped by a signal: the job is not
  // done, and the exit code says so (130, as a shell reports an interrupted command).
  if (job_.status == kPaused) return Status::Ok();
  return Status(ErrorCode::kInterrupted,
                fmt::format("backfill job `{}` was interrupted after {} row(s) ({} this run); "
                            "every committed chunk is kept",
                            spec_.name, processed_, res_.rows_this_run))
      .WithHint(fmt::format("resume with `strata backfill run {}`", spec_.name));
}

Status Runner::FinishAndVerify() {
  for (;;) {
    Status s = Finish();
    if (s.ok() || !IsConnectionLost(s)) return s;
    if (Status r = Recover(std::move(s)); !r.ok()) return Fail(r);
  }
}

// The identifier guard of a job's table (identifiers/record.h): an update job updates rows, so
// no contracted id may appear, vanish or change; a delete job declares deletes (ids may vanish
// where the contract allows it; the gate in Prepare refused the others) and only deletes (ids
// that appear beside it are other sessions' inserts); an update job only updates (ids of a
// deletable identifier that vanish alone beside it are other sessions' deletes). nullptr when the
// table has no contract or the job cannot be read (Main reports that).
Result<std::unique_ptr<identifiers::Guard>> GuardJob(const Options& options,
                                                     const std::string& job) {
  auto settings = LoadSettings(options);
  if (!settings) return std::unique_ptr<identifiers::Guard>();
  auto path = ResolveJobPath(options, *settings, job);
  if (!path) return std::unique_ptr<identifiers::Guard>();
  auto spec = LoadJob(*path);
  if (!spec) return std::unique_ptr<identifiers::Guard>();
  identifiers::Expectation e;
  e.may_delete = e.only_deletes = spec->kind == JobKind::kDelete;
  e.only_updates = spec->kind == JobKind::kUpdate;
  return identifiers::GuardTable(options, spec->table, e, "", "backfill run");
}

}  // namespace

RunResult Run(const Options& options, const RunRequest& request) {
  RunResult res;
  auto guard = GuardJob(options, request.job);
  if (!guard) {
    res.status = guard.error();
    return res;
  }
  Runner runner(options, request, res);
  res.status = runner.Main();
  runner.Snapshot();
  if (*guard) {
    if (Status v = (*guard)->End(res.status); !v.ok() && res.status.ok()) res.status = v;
  }
  return res;
}

}  // namespace strata::backfill
