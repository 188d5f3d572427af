// backfill status, pause, resume, cancel, set: they talk to a running job through its row.
#include "base/duration.h"
#include "base/text.h"
#include "session/session.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backfill/backfill.h"
#include "backfill/common.h"
#include "backfill/store.h"

namespace strata::backfill {

namespace {

// Whether a runner holds the job's lock: try it, and give it back at once if we got it.
bool RunnerAlive(db::Connection& conn, const std::string& job) {
  auto got = conn.TryLock(JobLockName(job));
  if (!got.ok()) return false;
  if (*got) {
    (void)conn.Unlock(JobLockName(job));
    return false;
  }
  return true;
}

// A job name from a name or a path argument.
std::string JobKey(const std::string& arg) {
  std::string s = arg;
  if (auto slash = s.rfind('/'); slash != std::string::npos) s = s.substr(slash + 1);
  if (s.size() > 5 && s.substr(s.size() - 5) == ".toml") s = s.substr(0, s.size() - 5);
  return s;
}

Status NoJob(const std::string& job, const std::string& target) {
  return Status(ErrorCode::kBackfillState,
                fmt::format("backfill job `{}` has never run on {}", job, target))
      .WithHint(fmt::format("start it with `strata backfill run {}`", job));
}

}  // namespace

StatusResult GetStatus(const Options& options, const StatusRequest& request) {
  StatusResult res;
  res.status = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(auto session, session::Open(options, "backfill status"));
    res.target = session.url.redacted;
    Store store(*session.conn);
    STRATA_ASSIGN_OR_RETURN(bool exists, store.Exists());
    if (!exists) {
      if (!request.job.empty()) return NoJob(JobKey(request.job), res.target);
      return Status::Ok();
    }
    if (request.job.empty()) {
      STRATA_ASSIGN_OR_RETURN(res.jobs, store.AllLatest());
    } else {
      STRATA_ASSIGN_OR_RETURN(auto j, store.Latest(JobKey(request.job)));
      if (!j) return NoJob(JobKey(request.job), res.target);
      res.jobs.push_back(std::move(*j));
      if (request.failures) {
        STRATA_ASSIGN_OR_RETURN(res.failures,
                                store.Failures(res.jobs[0].id, request.failure_limit));
      }
    }
    for (auto& j : res.jobs) j.runner_alive = RunnerAlive(*session.conn, j.job);
    return Status::Ok();
  }();
  return res;
}

ControlResult Control(const Options& options, const ControlRequest& request) {
  ControlResult res;
  res.job = JobKey(request.job);
  res.status = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(auto session, session::Open(options, "backfill control"));
    res.target = session.url.redacted;
    Store store(*session.conn);
    STRATA_ASSIGN_OR_RETURN(bool exists, store.Exists());
    if (!exists) return NoJob(res.job, res.target);
    STRATA_ASSIGN_OR_RETURN(auto j, store.Latest(res.job));
    if (!j) return NoJob(res.job, res.target);
    res.previous_status = j->status;
    res.runner_alive = RunnerAlive(*session.conn, res.job);
    const std::string& st = j->status;
    bool finished = st == kCompleted || st == kCompletedWithFailures || st == kFailed ||
                    st == kVerificationFailed || st == kCancelled;
    std::string verb = request.action == ControlAction::kPause    ? "pause"
                       : request.action == ControlAction::kResume ? "resume"
                                                                  : "cancel";
    if (finished) {
      return Status(ErrorCode::kBackfillState,
                    fmt::format("cannot {} backfill job `{}`: run {} is already {}", verb, res.job,
                                j->run_no, st))
          .WithHint(
              fmt::format("start a new run with `strata backfill run {} --restart`", res.job));
    }
    std::string user = session.conn->DatabaseUser();
    std::string now = base::NowIso8601();
    switch (request.action) {
      case ControlAction::kPause:
        res.new_status = kPaused;
        res.next_step = res.runner_alive
                            ? fmt::format(
                                  "the runner pauses after its current chunk; continue "
                                  "with `strata backfill resume {}`",
                                  res.job)
                            : fmt::format(
                                  "no runner is active; `strata backfill resume {}` "
                                  "re-enables the job",
                                  res.job);
        break;
      case ControlAction::kResume:
        if (st != kPaused) {
          return Status(ErrorCode::kBackfillState,
                        fmt::format("backfill job `{}` is {}, not paused", res.job, st))
              .WithHint(fmt::format("`strata backfill run {}` runs or resumes it", res.job));
        }
        // A live runner picks `running` up at once; without one, the job waits for `run`.
        res.new_status = res.runner_alive ? kRunning : kInterrupted;
        res.next_step = res.runner_alive
                            ? "the runner continues with its next chunk"
                            : fmt::format(
                                  "no runner is active; continue with `strata backfill "
                                  "run {}`",
                                  res.job);
        break;
      case ControlAction::kCancel:
        res.new_status = kCancelled;
        res.next_step = fmt::format(
            "{}rows already changed stay changed; a new run starts with "
            "`strata backfill run {} --restart`",
            res.runner_alive ? "the runner stops after its current "
                               "chunk; "
                             : "",
            res.job);
        break;
    }
    std::string msg = fmt::format("{} by {} at {}",
                                  verb == "cancel"  ? "cancelled"
                                  : verb == "pause" ? "paused"
                                                    : "resumed",
                                  user, now);
    return store.SetStatus(j->id, res.new_status, msg, request.action == ControlAction::kCancel);
  }();
  return res;
}

SetResult Set(const Options& options, const SetRequest& request) {
  SetResult res;
  res.job = JobKey(request.job);
  res.status = [&]() -> Status {
    nlohmann::json upd = nlohmann::json::object();
    for (const auto& a : request.assignments) {
      auto eq = a.find('=');
      std::string k = eq == std::string::npos ? a : std::string(base::Trim(a.substr(0, eq)));
      std::string v = eq == std::string::npos ? "" : std::string(base::Trim(a.substr(eq + 1)));
      auto bad = [&](std::string why) {
        return Status(ErrorCode::kUsage, fmt::format("`{}`: {}", a, why))
            .WithHint(
                "use chunk_size=<rows>, max_rows_per_second=<n, 0 = unlimited>, "
                "target_duration=<duration, 0 = fixed size>, max_replica_lag=<duration>");
      };
      if (eq == std::string::npos || v.empty()) return bad("expected key=value");
      try {
        if (k == "chunk_size") {
          long long n = std::stoll(v);
          if (n < 1 || n > 10'000'000) return bad("chunk_size must be 1..10000000");
          upd["chunk_size"] = n;
        } else if (k == "max_rows_per_second") {
          double d = std::stod(v);
          if (d < 0) return bad("max_rows_per_second must be >= 0");
          upd["max_rows_per_second"] = d;
        } else if (k == "target_duration" || k == "max_replica_lag") {
          auto d = base::ParseDuration(v);
          if (!d) return bad(d.error().message());
          upd[k + "_ms"] = d->count();
        } else {
          return bad("unknown setting");
        }
      } catch (...) {
        return bad("not a number");
      }
    }
    if (upd.empty()) {
      return Status(ErrorCode::kUsage, "nothing to set")
          .WithHint("e.g. `strata backfill set <job> chunk_size=500 max_rows_per_second=2000`");
    }
    STRATA_ASSIGN_OR_RETURN(auto session, session::Open(options, "backfill set"));
    res.target = session.url.redacted;
    Store store(*session.conn);
    STRATA_ASSIGN_OR_RETURN(bool exists, store.Exists());
    if (!exists) return NoJob(res.job, res.target);
    STRATA_ASSIGN_OR_RETURN(auto j, store.Latest(res.job));
    if (!j) return NoJob(res.job, res.target);
    auto cur = nlohmann::json::parse(j->overrides.empty() ? "{}" : j->overrides, nullptr, false);
    if (!cur.is_object()) cur = nlohmann::json::object();
    for (auto& [k, v] : upd.items()) cur[k] = v;
    res.overrides = cur.dump();
    res.runner_alive = RunnerAlive(*session.conn, res.job);
    return store.SetOverrides(j->id, res.overrides);
  }();
  return res;
}

}  // namespace strata::backfill
