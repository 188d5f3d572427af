// strata::Fleet: runs a verb over the fleet file's targets (include/strata/fleet.h).
//
// Each target is driven through the public verb API (Migrate, Info, Validate) with its own
// Options: its URL, and for a schema tenant its schema as the ledger schema and search_path.
// The engine takes the target's migration lock and records its run as for a single
// `strata migrate`, so a second fleet run at the same time waits on each target's lock and
// then finds nothing left to apply.
#include "strata/fleet.h"

#include "strata/commands.h"

#include "base/duration.h"
#include "base/redact.h"
#include "base/thread.h"
#include "db/connection.h"
#include "ledger/ledger.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "fleet/spec.h"
#include "fleet/state.h"

namespace strata {

namespace {

using fleet::Target;

std::string NewRunId() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<std::uint64_t>(getpid()));
  return fmt::format("{:012x}", rng() & 0xffffffffffffULL);
}

std::string LatestVersion(const InfoResult& info) {
  std::string v;
  for (const auto& row : info.migrations) {
    if ((row.state == "applied" || row.state == "baseline" || row.state == "out-of-order") &&
        !row.version.empty()) {
      v = row.version;  // rows come in version order
    }
  }
  return v;
}

// The engine names the URL it connected to, with the parameters the fleet added: name the URL
// as the fleet file wrote it instead.
Status AsWritten(Status st, const std::string& used, const std::string& written) {
  if (st.ok() || used == written) return st;
  std::string msg = st.message();
  for (size_t at = msg.find(used); at != std::string::npos; at = msg.find(used, at)) {
    msg.replace(at, used.size(), written);
    at += written.size();
  }
  if (msg == st.message()) return st;
  Status out(st.code(), std::move(msg));
  if (!st.span().empty()) out = std::move(out).WithSpan(st.span());
  if (!st.sqlstate().empty()) out = std::move(out).WithSqlState(st.sqlstate());
  if (!st.hint().empty()) out = std::move(out).WithHint(st.hint());
  return out;
}

bool Counts(const std::string& result) { return result == "failed" || result == "timeout"; }

// Who holds the target's migration lock right now ("" when free or unknown).
std::string LockHolder(const Options& o) {
  auto url = db::ParseUrl(o.url);
  if (!url) return "";
  url->may_create = false;
  auto conn = db::Connect(*url, "strata fleet info");
  if (!conn) return "";
  ledger::Ledger ledger(**conn, o.ledger_table, o.ledger_schema);
  std::string name = ledger.LockName();
  auto got = (*conn)->TryLock(name);
  if (!got) return "";
  if (*got) {
    (void)(*conn)->Unlock(name);
    return "";
  }
  auto holder = (*conn)->DescribeLockHolder(name);
  return holder ? holder->description : "another strata run";
}

class Runner {
 public:
  Runner(const Options& options, const FleetRequest& req, const FleetSink& sink,
         std::vector<Target> targets, FleetResult& result)
      : options_(options), req_(req), sink_(sink), targets_(std::move(targets)), r_(result) {}

  std::chrono::milliseconds timeout{0};
  int max_failures = 1;
  bool keep_going = false;
  fleet::StateFile* state = nullptr;

  // Runs the targets at `indices` with `parallel` workers. Returns after all started ones end.
  void RunWave(const std::vector<size_t>& indices, int wave, int parallel) {
    {
      std::lock_guard<std::mutex> g(mu_);
      FleetEvent e;
      e.kind = FleetEvent::Kind::kWaveStarted;
      e.wave = wave;
      Totals(e);
      Emit(e);
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (;;) {
        if (stop_.load()) return;
        size_t k = next.fetch_add(1);
        if (k >= indices.size()) return;
        RunOne(indices[k]);
      }
    };
    int n = std::max(1, std::min<int>(parallel, static_cast<int>(indices.size())));
    std::vector<base::Thread> workers;
    workers.reserve(n - 1);
    for (int i = 1; i < n; ++i) workers.emplace_back(std::function<void()>(work));
    work();
    for (auto& w : workers) w.Join();
  }

  // Stops starting targets; the first reason stands unless `overrides` (a failed canary says
  // more than the failure count it also reached).
  void Stop(std::string reason, bool overrides = false) {
    std::lock_guard<std::mutex> g(mu_);
    if (!stop_.exchange(true) || overrides) {
      r_.stopped = true;
      r_.stop_reason = std::move(reason);
    }
  }
  bool stopped() const { return stop_.load(); }

  // The watchdog: stops targets that run past the time limit. PostgreSQL: their sessions are
  // terminated (found by the application name the fleet gave them), once. SQLite: the statement
  // running on the target's file is interrupted, at every tick until the target ends (an
  // interrupt between two statements stops nothing). Runs until StopWatchdog().
  void StartWatchdog() {
    if (timeout.count() <= 0) return;
    watchdog_ = std::make_unique<base::Thread>(std::function<void()>([this] {
      std::unique_lock<std::mutex> lk(wd_mu_);
      while (!wd_done_) {
        wd_cv_.wait_for(lk, std::chrono::milliseconds(100));
        std::vector<size_t> late;
        {
          std::lock_guard<std::mutex> g(mu_);
          auto now = base::MonotonicMillis();
          for (auto& [i, started] : running_) {
            if (now - started <= timeout.count()) continue;
            if (!timed_out_[i] || IsSqlite(i)) late.push_back(i);
          }
          for (size_t i : late) timed_out_[i] = true;
        }
        lk.unlock();
        for (size_t i : late) Terminate(i);
        lk.lock();
      }
    }));
  }
  void StopWatchdog() {
    if (!watchdog_) return;
    {
      std::lock_guard<std::mutex> lk(wd_mu_);
      wd_done_ = true;
    }
    wd_cv_.notify_all();
    watchdog_->Join();
  }

 private:
  std::string AppName(size_t i) const {
    return fmt::format("strata fleet {} #{}", r_.fleet_run_id.substr(0, 8), i);
  }

  Options OptionsFor(size_t i) const {
    const Target& t = targets_[i];
    Options o = options_;
    o.url = fleet::WithParams(t.url, t.schema, AppName(i));
    if (!t.schema.empty()) o.ledger_schema = t.schema;
    // Every target reads the same files: the stat cache (one file per project) would be
    // rewritten by every worker at once; reading 50 files costs less than that contention.
    o.stat_cache = false;
    if (timeout.count() > 0) {
      o.lock_wait = std::min(o.lock_wait, timeout);
      if (!o.statement_timeout || *o.statement_timeout > timeout) o.statement_timeout = timeout;
    }
    return o;
  }

  bool IsSqlite(size_t i) const { return targets_[i].url.rfind("sqlite", 0) == 0; }

  void Terminate(size_t i) {
    const Target& t = targets_[i];
    if (IsSqlite(i)) {
      // The target runs in this process: interrupt its statement on the database file.
      if (auto url = db::ParseUrl(t.url)) db::InterruptSqlite(url->sqlite_path);
      return;
    }
    if (t.url.rfind("postgres", 0) != 0) return;
    auto url = db::ParseUrl(fleet::WithParams(t.url, "", ""));
    if (!url) return;
    auto conn = db::Connect(*url, "strata fleet watchdog");
    if (!conn) return;
    (void)(*conn)->Query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = $1 AND pid <> pg_backend_pid()",
        {AppName(i)});
  }

  void Totals(FleetEvent& e) const {
    e.total = static_cast<int>(r_.targets.size());
    e.done = done_;
    e.failed = failed_;
    e.running = static_cast<int>(running_.size());
  }
  void Emit(const FleetEvent& e) const {
    if (sink_) sink_(e);
  }

  void RunOne(size_t i) {
    FleetTargetResult& out = r_.targets[i];
    auto start = base::MonotonicMillis();
    {
      std::lock_guard<std::mutex> g(mu_);
      running_[i] = start;
      FleetEvent e;
      e.kind = FleetEvent::Kind::kTargetStarted;
      e.target = out.name;
      e.wave = out.wave;
      Totals(e);
      Emit(e);
    }
    Options o = OptionsFor(i);
    EventSink engine_sink;
    if (sink_) {
      engine_sink = [this, &out](const Event& ev) {
        std::lock_guard<std::mutex> g(mu_);
        FleetEvent e;
        e.kind = FleetEvent::Kind::kEngine;
        e.target = out.name;
        e.wave = out.wave;
        e.event = &ev;
        Totals(e);
        Emit(e);
      };
    }
    Status st;
    if (req_.verb == "migrate") {
      // One engine run per target: the "before" version is the one Migrate judged the ledger
      // on (an `info` first would cost every target a second connection, file scan and
      // ledger read). An unreachable target or an unreadable ledger fails in Migrate before
      // anything is locked or changed.
      MigrateRequest m;
      m.target = req_.target;
      m.sink = engine_sink;
      MigrateResult mr = Migrate(o, m);
      st = mr.status;
      out.before = mr.version_before;
      out.applied = static_cast<int>(mr.applied.size());
      out.pending = mr.pending;
      out.run_id = mr.run_id;
      out.after = out.before;
      for (const auto& a : mr.applied) {
        if (!a.version.empty()) out.after = a.version;
      }
      // A failed run may have applied some: the ledger's word is what counts.
      if (!st.ok() && out.applied > 0) {
        InfoResult after = Info(o);
        if (after.status.ok()) out.after = LatestVersion(after);
      }
    } else if (req_.verb == "info") {
      InfoResult info = Info(o);
      st = info.status;
      out.before = out.after = LatestVersion(info);
      for (const auto& row : info.migrations) {
        if (row.state == "pending") ++out.pending;
        if (row.state == "failed") ++out.failed_rows;
      }
      if (st.ok()) out.locked_by = LockHolder(o);
    } else if (req_.verb == "verify") {
      VerifyResult v = Verify(o, VerifyRequest{});
      st = v.status;
      out.run_id = v.run_id;
    } else if (req_.verb == "lint") {
      // The apply-time gate's verdict on the target's pending set, live (its server version,
      // its table sizes and row estimates): a migrate --dry-run that stops after the gate.
      Options lo = o;
      lo.lint_gate = true;
      MigrateRequest m;
      m.dry_run = true;
      m.target = req_.target;
      MigrateResult mr = Migrate(lo, m);
      st = mr.status;
      out.pending = mr.pending;
      out.findings = mr.lint.blocking;
      out.findings_below_gate = mr.lint.findings_below_gate;
      InfoResult info = Info(o);
      if (info.status.ok()) out.before = out.after = LatestVersion(info);
    } else if (req_.verb == "drift") {
      DriftRequest d;
      d.against = req_.against;
      DriftResult dr = Drift(o, d);
      st = dr.status;
      out.drift = dr.items;
      InfoResult info = Info(o);
      if (info.status.ok()) out.before = out.after = LatestVersion(info);
    } else if (req_.verb == "validate") {
      ValidateResult v = Validate(o);
      st = v.status;
      if (st.ok() && !v.issues.empty()) {
        st = Status(ErrorCode::kValidation,
                    fmt::format("{} issue(s): {}", v.issues.size(), v.issues.front().message));
      }
    }
    out.elapsed_ms = base::MonotonicMillis() - start;
    st = AsWritten(std::move(st), base::RedactUrl(o.url), targets_[i].display);
    bool late = false;
    {
      std::lock_guard<std::mutex> g(mu_);
      running_.erase(i);
      late =
          timed_out_[i] || (timeout.count() > 0 && out.elapsed_ms >= timeout.count() && !st.ok());
    }
    if (st.ok()) {
      out.result = "ok";
    } else if (late) {
      out.result = "timeout";
      st = Status(ErrorCode::kMigrationFailed,
                  fmt::format("stopped after the per-target time limit of {}: {}",
                              base::FormatDuration(timeout), st.message()))
               .WithHint(
                   "raise --target-timeout, or run this target alone; a transactional "
                   "migration was rolled back");
    } else if (req_.verb == "lint" && st.code() == ErrorCode::kLint) {
      out.result = "findings";
    } else if (req_.verb == "drift" && st.code() == ErrorCode::kDrift) {
      out.result = "drifted";
    } else if (st.code() == ErrorCode::kConnection) {
      out.result = "unreachable";
    } else if (st.code() == ErrorCode::kLockTimeout &&
               st.message().find("holds the migration lock") != std::string::npos) {
      out.result = "locked";
    } else {
      out.result = "failed";
    }
    out.status = st;
    if (state) {
      fleet::TargetState ts;
      ts.result = out.result;
      ts.before = out.before;
      ts.after = out.after;
      ts.applied = out.applied;
      ts.run_id = out.run_id;
      ts.elapsed_ms = out.elapsed_ms;
      ts.error = st.ok() ? "" : base::RedactSecrets(st.ToString());
      ts.finished_at = base::NowIso8601();
      (void)state->Record(r_.fleet_run_id, out.name, ts);
    }
    bool stop_now = false;
    {
      std::lock_guard<std::mutex> g(mu_);
      ++done_;
      if (Counts(out.result)) {
        ++failed_;
        stop_now = !keep_going && failed_ >= max_failures;
      }
      FleetEvent e;
      e.kind = FleetEvent::Kind::kTargetDone;
      e.target = out.name;
      e.wave = out.wave;
      e.result = &out;
      Totals(e);
      Emit(e);
    }
    if (stop_now) {
      Stop(fmt::format("{} target(s) failed (--max-failures {}); the rest were not started",
                       max_failures, max_failures));
    }
  }

  const Options& options_;
  const FleetRequest& req_;
  const FleetSink& sink_;
  std::vector<Target> targets_;
  FleetResult& r_;
  mutable std::mutex mu_;
  std::map<size_t, std::int64_t> running_;
  std::map<size_t, bool> timed_out_;
  int done_ = 0, failed_ = 0;
  std::atomic<bool> stop_{false};
  std::unique_ptr<base::Thread> watchdog_;
  std::mutex wd_mu_;
  std::condition_variable wd_cv_;
  bool wd_done_ = false;
};

nlohmann::json Summary(const FleetResult& r) {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& t : r.targets) {
    if (t.result != "ok" && t.result != "skipped") {
      failed.push_back({{"target", t.name},
                        {"result", t.result},
                        {"error", t.status.ok() ? "" : base::RedactSecrets(t.status.ToString())}});
    }
  }
  return {{"fleet_run_id", r.fleet_run_id},
          {"resumed_run_id", r.resumed_run_id},
          {"verb", r.verb},
          {"finished_at", base::NowIso8601()},
          {"elapsed_ms", r.elapsed_ms},
          {"targets", r.targets.size()},
          {"ok", r.ok},
          {"failed", r.failed},
          {"unreachable", r.unreachable},
          {"locked", r.locked},
          {"not_reached", r.not_reached},
          {"skipped", r.skipped},
          {"stopped", r.stopped},
          {"stop_reason", r.stop_reason},
          {"not_ok", failed}};
}

}  // namespace

FleetResult Fleet(const Options& options, const FleetRequest& req, const FleetSink& sink) {
  FleetResult r;
  auto t0 = base::MonotonicMillis();
  r.verb = req.verb;
  if (req.verb != "migrate" && req.verb != "info" && req.verb != "validate" &&
      req.verb != "verify" && req.verb != "lint" && req.verb != "drift") {
    r.status = Status(ErrorCode::kUsage, fmt::format("fleet cannot run `{}`", req.verb))
                   .WithHint("use strata fleet migrate, info, validate, verify, lint or drift");
    return r;
  }
  std::string dir = options.project_dir.empty() ? "." : options.project_dir;
  r.fleet_file = req.fleet_file.empty() ? dir + "/db/fleet.toml" : req.fleet_file;
  auto spec = fleet::LoadFleet(r.fleet_file);
  if (!spec) {
    r.status = spec.error();
    return r;
  }
  auto resolved = fleet::ResolveTargets(*spec, options.project_dir);
  if (!resolved) {
    r.status = resolved.error();
    return r;
  }
  std::vector<Target> targets;
  for (auto& t : *resolved) {
    if (req.only.empty() || fleet::Matches(t, req.only)) targets.push_back(std::move(t));
  }
  if (targets.empty()) {
    r.status = Status(ErrorCode::kConfig, fmt::format("{} selects no target", r.fleet_file))
                   .WithHint(
                       "add [[target]], [[discover]] or [[schemas]] entries, or check "
                       "--only");
    return r;
  }
  if (spec->state_file.empty()) {
    r.state_file = fleet::DefaultStatePath(r.fleet_file);
  } else if (spec->state_file[0] == '/') {
    r.state_file = spec->state_file;
  } else {
    auto slash = r.fleet_file.rfind('/');
    r.state_file =
        (slash == std::string::npos ? std::string() : r.fleet_file.substr(0, slash + 1)) +
        spec->state_file;
  }
  fleet::StateFile state(r.state_file);

  int parallel = req.parallel > 0 ? req.parallel : spec->parallel;
  int wave_size = req.wave_size >= 0 ? req.wave_size : spec->wave_size;
  std::vector<std::string> canary = req.canary.empty() ? spec->canary : req.canary;

  for (const auto& t : targets) {
    FleetTargetResult tr;
    tr.name = t.name;
    tr.url = t.display;
    tr.schema = t.schema;
    tr.labels = t.labels;
    r.targets.push_back(std::move(tr));
  }

  // Which targets run: all, or with --resume those not ok in the last run.
  std::optional<fleet::FleetState> previous;
  {
    auto loaded = state.Load();
    if (loaded)
      previous = std::move(*loaded);
    else if (req.resume) {
      r.status = loaded.error();
      return r;
    }
  }
  std::vector<size_t> todo;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (req.verb == "info" && previous) {
      auto it = previous->targets.find(targets[i].name);
      if (it != previous->targets.end()) r.targets[i].last_fleet_result = it->second.result;
    }
    if (req.resume && previous) {
      auto it = previous->targets.find(targets[i].name);
      if (it != previous->targets.end() && it->second.result == "ok") {
        r.targets[i].result = "skipped";
        r.targets[i].before = it->second.before;
        r.targets[i].after = it->second.after;
        continue;
      }
    }
    todo.push_back(i);
  }
  if (req.resume && !previous) {
    r.status = Status(ErrorCode::kUsage,
                      fmt::format("no fleet run to resume: {} does not exist", r.state_file))
                   .WithHint("run `strata fleet migrate` without --resume");
    return r;
  }

  // Waves: the canary targets first, then the rest in waves of wave_size.
  std::vector<std::vector<size_t>> waves(1);
  for (size_t i : todo) {
    if (!canary.empty() && fleet::Matches(targets[i], canary)) waves[0].push_back(i);
  }
  std::vector<size_t> rest;
  for (size_t i : todo) {
    if (canary.empty() || !fleet::Matches(targets[i], canary)) rest.push_back(i);
  }
  if (!canary.empty() && waves[0].empty() && !req.resume) {
    r.status = Status(ErrorCode::kUsage,
                      fmt::format("--canary {} matches no target", fmt::join(canary, ",")))
                   .WithHint("name a target or one of their labels");
    return r;
  }
  size_t per = wave_size > 0 ? static_cast<size_t>(wave_size) : std::max<size_t>(rest.size(), 1);
  for (size_t k = 0; k < rest.size(); k += per) {
    waves.emplace_back(rest.begin() + k, rest.begin() + std::min(rest.size(), k + per));
  }
  for (size_t w = 0; w < waves.size(); ++w) {
    for (size_t i : waves[w]) r.targets[i].wave = static_cast<int>(w);
  }

  if (req.verb == "migrate" && !req.dry_run) {
    if (req.resume) {
      r.resumed_run_id = previous->fleet_run_id;
      r.fleet_run_id = previous->fleet_run_id;
      fleet::FleetState s = *previous;
      s.attempts += 1;
      s.finished_at.clear();
      if (auto st = state.Reset(s); !st.ok()) {
        r.status = st;
        return r;
      }
    } else {
      r.fleet_run_id = NewRunId();
      fleet::FleetState s;
      s.fleet_run_id = r.fleet_run_id;
      s.verb = req.verb;
      s.fleet_file = r.fleet_file;
      s.started_at = base::NowIso8601();
      for (const auto& t : targets) s.targets[t.name].result = "not-reached";
      if (auto st = state.Reset(s); !st.ok()) {
        r.status = st;
        return r;
      }
    }
  } else {
    r.fleet_run_id = NewRunId();
  }

  if (req.dry_run) {
    for (size_t i : todo) r.targets[i].result = "planned";
  } else {
    Runner runner(options, req, sink, targets, r);
    runner.timeout = std::chrono::milliseconds(
        req.target_timeout_ms >= 0 ? req.target_timeout_ms : spec->target_timeout.count());
    runner.max_failures = req.max_failures > 0 ? req.max_failures : spec->max_failures;
    runner.keep_going = req.keep_going || (req.max_failures <= 0 && spec->keep_going);
    if (req.verb != "migrate") runner.keep_going = true;
    runner.state = req.verb == "migrate" ? &state : nullptr;
    runner.StartWatchdog();
    for (size_t w = 0; w < waves.size() && !runner.stopped(); ++w) {
      if (waves[w].empty()) continue;
      runner.RunWave(waves[w], static_cast<int>(w), parallel);
      if (w == 0 && !canary.empty() && req.verb == "migrate") {
        for (size_t i : waves[0]) {
          if (r.targets[i].result != "ok") {
            runner.Stop(fmt::format("canary {} did not finish ok ({}); no other target was "
                                    "started",
                                    r.targets[i].name, r.targets[i].result),
                        /*overrides=*/true);
            break;
          }
        }
      }
    }
    runner.StopWatchdog();
  }

  std::vector<std::string> bad;
  ErrorCode worst = ErrorCode::kOk;
  for (const auto& t : r.targets) {
    if (t.result == "ok")
      ++r.ok;
    else if (t.result == "skipped")
      ++r.skipped;
    else if (t.result == "unreachable")
      ++r.unreachable;
    else if (t.result == "locked")
      ++r.locked;
    else if (t.result == "not-reached" || t.result == "planned")
      ++r.not_reached;
    else
      ++r.failed;
    if (t.result == "failed" || t.result == "timeout" || t.result == "findings" ||
        t.result == "drifted") {
      bad.push_back(t.name);
      worst = t.status.code() == ErrorCode::kOk ? ErrorCode::kMigrationFailed : t.status.code();
    }
  }
  r.elapsed_ms = base::MonotonicMillis() - t0;
  if (req.dry_run) return r;
  if (r.failed > 0) {
    std::string names = fmt::format(
        "{}", fmt::join(bad.begin(), bad.begin() + std::min<size_t>(bad.size(), 5), ", "));
    if (bad.size() > 5) names += fmt::format(" and {} more", bad.size() - 5);
    // lint and drift: a target that could not be judged (an error) says more than one that
    // was judged and found wanting.
    bool only_verdicts = true;
    for (const auto& t : r.targets) {
      only_verdicts &= t.result != "failed" && t.result != "timeout";
    }
    if ((req.verb == "lint" || req.verb == "drift") && only_verdicts) {
      bool lint = req.verb == "lint";
      r.status = Status(lint ? ErrorCode::kLint : ErrorCode::kDrift,
                        fmt::format("{} of {} target(s) {}: {}", r.failed, r.targets.size(),
                                    lint ? "have pending migrations the lint gate refuses"
                                         : "drifted from their history",
                                    names))
                     .WithHint(lint ? "the findings are listed per target; `strata lint --url "
                                      "<target's URL> db/migration` shows them with their fix"
                                    : "the differences are listed per target; bring the schema "
                                      "back with a migration, or find who changed it by hand");
    } else {
      r.status =
          Status(req.verb == "validate" ? ErrorCode::kValidation
                 : req.verb == "verify" ? ErrorCode::kCheckFailed
                 : r.failed == 1        ? worst
                                        : ErrorCode::kMigrationFailed,
                 fmt::format("{} of {} target(s) failed: {}", r.failed, r.targets.size(), names))
              .WithHint(req.verb == "migrate"
                            ? "fix the cause shown per target, then `strata fleet migrate "
                              "--resume` retries only the targets that did not finish"
                            : "see the per-target errors above");
    }
  } else if (r.unreachable > 0) {
    r.status = Status(ErrorCode::kConnection, fmt::format("{} of {} target(s) unreachable",
                                                          r.unreachable, r.targets.size()))
                   .WithHint("when they are back, `strata fleet migrate --resume` runs only them");
  } else if (r.locked > 0) {
    r.status = Status(ErrorCode::kLockTimeout,
                      fmt::format("{} target(s) locked by another runner", r.locked))
                   .WithHint("wait for it, then `strata fleet migrate --resume`");
  } else if (r.not_reached > 0) {
    r.status = Status(ErrorCode::kMigrationFailed,
                      fmt::format("{} target(s) not reached: {}", r.not_reached, r.stop_reason))
                   .WithHint("`strata fleet migrate --resume` runs only them");
  }
  if (req.verb == "migrate") (void)state.Finish(r.fleet_run_id, Summary(r));
  return r;
}

}  // namespace strata
