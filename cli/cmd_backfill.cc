// strata backfill plan|run|status|pause|resume|cancel|set: CLI wiring and rendering only; the
// work is in src/backfill. Progress: a bar on a TTY, JSON lines (one per interval) otherwise.
#include "base/duration.h"
#include "base/redact.h"
#include "cli/commands.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>

#include "backfill/backfill.h"

namespace strata::cli {

namespace {

using nlohmann::json;
namespace bf = strata::backfill;

std::atomic<int> g_signal{0};
extern "C" void OnStopSignal(int sig) { g_signal.store(sig); }

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

json JobJson(const bf::JobState& j) {
  json parts = json::array();
  for (const auto& p : j.partitions) {
    parts.push_back({{"value", json::parse(p.value, nullptr, false)},
                     {"last_processed_key",
                      p.last_key.empty() ? json(nullptr) : json::parse(p.last_key, nullptr, false)},
                     {"processed_count", p.processed},
                     {"failed_count", p.failed},
                     {"done", p.done}});
  }
  json o = json::parse(j.overrides.empty() ? "{}" : j.overrides, nullptr, false);
  return {{"id", j.id},
          {"job", j.job},
          {"run_no", j.run_no},
          {"status", j.status},
          {"runner_alive", j.runner_alive},
          {"runner", j.runner},
          {"started_at", j.started_at.empty() ? json(nullptr) : json(j.started_at)},
          {"completed_at", j.completed_at.empty() ? json(nullptr) : json(j.completed_at)},
          {"updated_at", j.updated_at},
          {"last_processed_key",
           j.last_key.empty() ? json(nullptr) : json::parse(j.last_key, nullptr, false)},
          {"processed_count", j.processed},
          {"failed_count", j.failed},
          {"chunk_count", j.chunks},
          {"total_estimate", j.total_estimate < 0 ? json(nullptr) : json(j.total_estimate)},
          {"chunk_size", j.chunk_size},
          {"job_file", j.job_file},
          {"job_checksum", j.checksum},
          {"overrides", o.is_discarded() ? json::object() : o},
          {"message", j.message.empty() ? json(nullptr) : json(j.message)},
          {"partitions", parts}};
}

std::string KindName(bf::BackfillEventKind k) {
  switch (k) {
    case bf::BackfillEventKind::kStarted:
      return "started";
    case bf::BackfillEventKind::kChunk:
      return "chunk";
    case bf::BackfillEventKind::kThrottle:
      return "throttle";
    case bf::BackfillEventKind::kRetry:
      return "retry";
    case bf::BackfillEventKind::kRowFailed:
      return "row_failed";
    case bf::BackfillEventKind::kPaused:
      return "paused";
    case bf::BackfillEventKind::kResumed:
      return "resumed";
    case bf::BackfillEventKind::kReconfigured:
      return "reconfigured";
    case bf::BackfillEventKind::kVerify:
      return "verify";
    case bf::BackfillEventKind::kDone:
      return "done";
    case bf::BackfillEventKind::kConnectionLost:
      return "connection_lost";
    case bf::BackfillEventKind::kReconnected:
      return "reconnected";
  }
  return "?";
}

json EventJson(const bf::BackfillEvent& e) {
  json j = {{"event", "backfill." + KindName(e.kind)},
            {"at", base::NowIso8601()},
            {"job", e.job},
            {"processed", e.processed},
            {"failed", e.failed},
            {"total", e.total < 0 ? json(nullptr) : json(e.total)},
            {"chunks", e.chunks},
            {"chunk_size", e.chunk_size},
            {"elapsed_ms", e.elapsed_ms},
            {"rows_per_second", static_cast<std::int64_t>(e.rows_per_second)}};
  if (e.total > 0 && e.rows_per_second > 0) {
    j["eta_ms"] = static_cast<std::int64_t>(
        static_cast<double>(std::max<std::int64_t>(e.total - e.processed - e.failed, 0)) * 1000.0 /
        e.rows_per_second);
  }
  if (!e.partition.empty()) j["partition"] = json::parse(e.partition, nullptr, false);
  if (e.kind == bf::BackfillEventKind::kChunk) {
    j["chunk_rows"] = e.chunk_rows;
    j["chunk_failed"] = e.chunk_failed;
    j["chunk_ms"] = e.chunk_ms;
    j["attempt"] = e.attempt;
  }
  if (e.kind == bf::BackfillEventKind::kThrottle || e.kind == bf::BackfillEventKind::kRetry) {
    j["wait_ms"] = e.wait_ms;
    j["value_ms"] = e.value_ms;
  }
  if (e.kind == bf::BackfillEventKind::kConnectionLost) j["wait_ms"] = e.wait_ms;
  if (e.kind == bf::BackfillEventKind::kRetry || e.kind == bf::BackfillEventKind::kConnectionLost ||
      e.kind == bf::BackfillEventKind::kReconnected) {
    j["attempt"] = e.attempt;
  }
  if (!e.reason.empty()) j["reason"] = e.reason;
  if (!e.message.empty()) j["message"] = e.message;
  return j;
}

// The terminal's width in columns (stderr's), else $COLUMNS, else 80.
int TerminalColumns() {
  struct winsize ws {};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    int n = std::atoi(c);
    if (n > 0) return n;
  }
  return 80;
}

// One progress line that fits in `columns` - 1 (a line that wraps cannot be redrawn in place
// with \r: each redraw would leave a new line). The bar shrinks first (at most 30 wide); under
// 10 the details after the counts go; a bar under 5 goes; then the line is cut.
std::string Bar(const bf::BackfillEvent& e, int columns, std::string_view note = {}) {
  const size_t room = static_cast<size_t>(std::max(columns - 1, 10));
  double frac = e.total > 0 ? std::min(1.0, static_cast<double>(e.processed + e.failed) /
                                                static_cast<double>(e.total))
                            : 0;
  std::string eta = "?";
  if (e.total > 0 && e.rows_per_second > 0) {
    auto left = std::max<std::int64_t>(e.total - e.processed - e.failed, 0);
    eta = base::FormatDuration(base::Millis(
        static_cast<std::int64_t>(static_cast<double>(left) * 1000.0 / e.rows_per_second)));
  }
  std::string counts =
      fmt::format(" {}/{} ({:.0f}%)", e.processed,
                  e.total < 0 ? std::string("?") : std::to_string(e.total), frac * 100);
  std::string details = fmt::format(" {:.0f} rows/s ETA {}", e.rows_per_second, eta);
  if (e.failed > 0) details += fmt::format(" failures {}", e.failed);
  if (!note.empty()) details += fmt::format(" ({})", note);
  const size_t fixed = e.job.size() + counts.size();
  auto bar_room = [&](size_t extra) {
    return static_cast<int>(
        std::min<size_t>(30, room > fixed + extra + 3 ? room - fixed - extra - 3 : 0));
  };
  int width = bar_room(details.size());
  if (width < 10 && !details.empty()) {
    details.clear();
    width = bar_room(0);
  }
  std::string bar;
  if (width >= 5) {
    int fill = static_cast<int>(frac * width);
    bar = fmt::format(" [{}{}]", std::string(fill, '#'), std::string(width - fill, '.'));
  }
  std::string line = e.job + bar + counts + details;
  if (line.size() > room) line.resize(room);
  return line;
}

bf::BackfillSink ProgressSinkFor(const GlobalFlags& g, std::int64_t interval_ms) {
  bool tty = !g.log_json && isatty(STDERR_FILENO);
  auto last = std::make_shared<std::int64_t>(-1'000'000);
  if (tty) {
    // `open`: a bar is on the terminal's current line (no line feed after it yet): it is
    // redrawn in place (\r, erase to the end of the line); any other line first ends it.
    auto open = std::make_shared<bool>(false);
    auto draw = [open](const bf::BackfillEvent& e, std::string_view note = {}) {
      std::cerr << "\r" << Bar(e, TerminalColumns(), note) << "\x1b[K" << std::flush;
      *open = true;
    };
    auto line = [open](const std::string& text) {
      if (*open) std::cerr << "\n";
      *open = false;
      std::cerr << base::RedactSecrets(text) << "\n" << std::flush;
    };
    return [last, open, draw, line](const bf::BackfillEvent& e) {
      auto now = base::MonotonicMillis();
      switch (e.kind) {
        case bf::BackfillEventKind::kChunk:
          if (now - *last < 100) return;
          *last = now;
          draw(e);
          return;
        case bf::BackfillEventKind::kThrottle:
          if (e.reason == "replica_lag" || now - *last >= 1000) {
            draw(e, "throttled: " + e.reason);
          }
          return;
        case bf::BackfillEventKind::kStarted:
          line(fmt::format("backfill {}: {}", e.job, e.message));
          return;
        case bf::BackfillEventKind::kVerify:
        case bf::BackfillEventKind::kDone:
          // The final counts, once: the bar is redrawn in place and ended. The verification
          // and the outcome are in the summary that follows on stdout.
          if (*open) {
            draw(e);
            std::cerr << "\n" << std::flush;
            *open = false;
          }
          return;
        case bf::BackfillEventKind::kPaused:
          line(
              fmt::format("paused: {} at {} row(s) done; waiting for `strata backfill resume "
                          "{}` (or cancel)",
                          e.job, e.processed, e.job));
          return;
        case bf::BackfillEventKind::kResumed:
          line(fmt::format("resumed: {} at {} row(s) done", e.job, e.processed));
          return;
        case bf::BackfillEventKind::kReconfigured:
          line(fmt::format("reconfigured: {} now runs with {}", e.job,
                           e.message.empty() ? "its file's settings" : e.message));
          return;
        case bf::BackfillEventKind::kConnectionLost:
          line(fmt::format("connection lost: {}; reconnect attempt {} in {}", e.message, e.attempt,
                           base::FormatDuration(base::Millis(e.wait_ms))));
          return;
        default: {
          std::string what = e.message;
          if (!e.reason.empty()) what += (what.empty() ? "" : " ") + ("(" + e.reason + ")");
          if (what.empty()) what = fmt::format("{} at {} row(s) done", e.job, e.processed);
          line(fmt::format("{}: {}", KindName(e.kind), what));
        }
      }
    };
  }
  return [last, interval_ms](const bf::BackfillEvent& e) {
    auto now = base::MonotonicMillis();
    bool periodic =
        e.kind == bf::BackfillEventKind::kChunk || e.kind == bf::BackfillEventKind::kThrottle;
    if (periodic) {
      if (now - *last < interval_ms) return;
      *last = now;
    }
    std::cerr << base::RedactSecrets(EventJson(e).dump()) << "\n" << std::flush;
  };
}

json RunJson(const bf::RunResult& r) {
  json j = {{"ok", r.status.ok()},
            {"target", r.target},
            {"job", r.job.id.empty() ? json(nullptr) : JobJson(r.job)},
            {"rows_this_run", r.rows_this_run},
            {"failed_this_run", r.failed_this_run},
            {"chunks_this_run", r.chunks_this_run},
            {"elapsed_ms", r.elapsed_ms},
            {"interrupted", r.interrupted},
            {"already_done", r.already_done},
            {"reconnects", r.reconnects},
            {"warnings", r.warnings},
            {"next_step", r.next_step.empty() ? json(nullptr) : json(r.next_step)},
            {"error", report::StatusJson(r.status)}};
  if (!r.verify_expected.empty()) {
    j["verification"] = {{"actual", r.verify_actual}, {"expected", r.verify_expected}};
  }
  return j;
}

std::string RunText(const bf::RunResult& r) {
  std::string out;
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!r.job.id.empty()) {
    out += fmt::format("backfill {} run {}: {} — {} row(s) done, {} failed, {} chunk(s)", r.job.job,
                       r.job.run_no, r.job.status, r.job.processed, r.job.failed, r.job.chunks);
    if (!r.already_done) {
      out += fmt::format("; this run {} row(s) in {}", r.rows_this_run,
                         base::FormatDuration(base::Millis(r.elapsed_ms)));
    }
    out += "\n";
  }
  if (!r.verify_expected.empty()) {
    out += fmt::format("verification: {} (expected {})\n", r.verify_actual, r.verify_expected);
  }
  if (!r.next_step.empty()) out += fmt::format("next: {}\n", r.next_step);
  return out;
}

json PlanJson(const bf::PlanResult& r) {
  json sample = json::array();
  for (const auto& s : r.sample) {
    json b = json::object(), a = json::object();
    for (const auto& [k, v] : s.before) b[k] = v;
    for (const auto& [k, v] : s.after) a[k] = v;
    sample.push_back({{"key", s.key}, {"before", b}, {"after", a}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"job", r.job},
          {"job_file", r.job_file},
          {"table", r.table},
          {"candidates", r.candidates},
          {"chunk_size", r.chunk_size},
          {"estimated_chunks", r.estimated_chunks},
          {"estimated_ms", r.estimated_ms},
          {"sample_chunk_rows", r.sample_chunk_rows},
          {"sample_chunk_ms", r.sample_chunk_ms},
          {"select_sql", r.select_sql},
          {"chunk_sql", r.chunk_sql},
          {"explain", r.explain},
          {"sample", sample},
          {"existing", r.existing_status.empty() ? json(nullptr) : json(r.existing_status)},
          {"changed_nothing", true},
          {"warnings", r.warnings},
          {"error", report::StatusJson(r.status)}};
}

std::string PlanText(const bf::PlanResult& r) {
  if (!r.status.ok() && r.job_file.empty()) return "";
  std::string out = fmt::format("backfill plan {} ({}) on {}\n", r.job, r.job_file, r.target);
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!r.existing_status.empty()) out += fmt::format("  existing: {}\n", r.existing_status);
  out += fmt::format("  candidates: {} row(s) in {}\n  chunks: ~{} of {} row(s), estimated {}\n",
                     r.candidates, r.table, r.estimated_chunks, r.chunk_size,
                     base::FormatDuration(base::Millis(r.estimated_ms)));
  out += fmt::format("  one chunk (sample: {} row(s) in {}, rolled back):\n    {};\n    {};\n",
                     r.sample_chunk_rows, base::FormatDuration(base::Millis(r.sample_chunk_ms)),
                     r.select_sql, r.chunk_sql);
  if (!r.explain.empty()) {
    out += "  plan:\n";
    for (const auto& l : r.explain) out += fmt::format("    {}\n", l);
  }
  for (const auto& s : r.sample) {
    out += fmt::format("  row ({}):\n", fmt::join(s.key, ", "));
    for (size_t i = 0; i < s.before.size(); ++i) {
      const auto& [col, before] = s.before[i];
      std::string after = i < s.after.size() ? s.after[i].second : before;
      if (after != before) {
        out += fmt::format("    {}: {} -> {}\n", col, before, after);
      }
    }
  }
  out += "  nothing was changed (dry run)\n";
  return out;
}

json StatusJsonOf(const bf::StatusResult& r) {
  json jobs = json::array();
  for (const auto& j : r.jobs) jobs.push_back(JobJson(j));
  json fails = json::array();
  for (const auto& f : r.failures) {
    fails.push_back({{"key", json::parse(f.key, nullptr, false)},
                     {"error", f.error},
                     {"sqlstate", f.sqlstate.empty() ? json(nullptr) : json(f.sqlstate)},
                     {"attempt", f.attempt},
                     {"at", f.at}});
  }
  return {{"ok", r.status.ok()},
          {"target", r.target},
          {"jobs", jobs},
          {"failures", fails},
          {"error", report::StatusJson(r.status)}};
}

std::string StatusText(const bf::StatusResult& r) {
  if (!r.status.ok()) return "";
  if (r.jobs.empty()) return fmt::format("no backfill jobs have run on {}\n", r.target);
  std::string out;
  for (const auto& j : r.jobs) {
    std::string pct =
        j.total_estimate > 0
            ? fmt::format(" ({:.0f}%)", 100.0 * static_cast<double>(j.processed + j.failed) /
                                            static_cast<double>(j.total_estimate))
            : "";
    out += fmt::format("{} run {}: {}{} — {}/{} row(s){}, {} failed, {} chunk(s), last key {}\n",
                       j.job, j.run_no, j.status, j.runner_alive ? " (runner active)" : "",
                       j.processed,
                       j.total_estimate < 0 ? std::string("?") : std::to_string(j.total_estimate),
                       pct, j.failed, j.chunks, j.last_key.empty() ? "-" : j.last_key);
    if (!j.message.empty()) out += fmt::format("  {}\n", j.message);
    if (j.overrides != "{}" && !j.overrides.empty())
      out += fmt::format("  overrides: {}\n", j.overrides);
    for (const auto& p : j.partitions) {
      out += fmt::format("  partition {}: {} row(s), {} failed{}\n", p.value, p.processed, p.failed,
                         p.done ? ", done" : "");
    }
  }
  for (const auto& f : r.failures) {
    out += fmt::format("  failed row {}: {}{} (attempt {}, {})\n", f.key, f.error,
                       f.sqlstate.empty() ? "" : " [" + f.sqlstate + "]", f.attempt, f.at);
  }
  return out;
}

std::optional<Options> Load(const GlobalFlags& g, int& code) { return LoadOptions(g, code); }

void Register(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* bfc = app.add_subcommand("backfill",
                                 "chunked, resumable, throttled data changes (db/backfill/*.toml)");
  bfc->require_subcommand(1);
  Examples(bfc,
           {{"strata backfill plan fill_tax_code", "dry run of db/backfill/fill_tax_code.toml"},
            {"strata backfill run fill_tax_code", "run it in resumable, throttled chunks"}});

  auto* plan = bfc->add_subcommand(
      "plan", "dry run: candidates, chunk SQL, EXPLAIN, sample before/after; changes nothing");
  auto preq = std::make_shared<bf::PlanRequest>();
  plan->add_option("job", preq->job, "job name in db/backfill/ or path to a .toml")->required();
  plan->add_option("--sample", preq->sample_rows, "rows to show before/after");
  reg.commands.emplace_back(plan, [&g, preq] {
    int code = 0;
    auto opts = Load(g, code);
    if (!opts) return code;
    auto r = bf::Plan(*opts, *preq);
    return Finish(g, r.status, PlanJson(r), PlanText(r));
  });

  auto* run = bfc->add_subcommand(
      "run", "run or resume a job; SIGINT/SIGTERM stop after the current chunk");
  auto rreq = std::make_shared<bf::RunRequest>();
  auto interval = std::make_shared<std::string>("5s");
  run->add_option("job", rreq->job, "job name in db/backfill/ or path to a .toml")->required();
  run->add_flag("--restart", rreq->restart,
                "start a new run from the beginning (after the job file changed)");
  run->add_option("--progress-interval", *interval,
                  "JSON progress line interval when not on a TTY (0 = every chunk)");
  reg.commands.emplace_back(run, [&g, rreq, interval] {
    int code = 0;
    auto opts = Load(g, code);
    if (!opts) return code;
    auto iv = base::ParseDuration(*interval);
    if (!iv) {
      Status bad(ErrorCode::kUsage, fmt::format("--progress-interval: {}", iv.error().message()));
      return Finish(g, bad, {{"ok", false}, {"error", report::StatusJson(bad)}}, "");
    }
    InstallStopHandlers();
    rreq->sink = ProgressSinkFor(g, iv->count());
    rreq->stop_requested = [] { return g_signal.load() != 0; };
    auto r = bf::Run(*opts, *rreq);
    return Finish(g, r.status, RunJson(r), RunText(r));
  });

  auto* status = bfc->add_subcommand("status", "progress of one job or of every job");
  auto sreq = std::make_shared<bf::StatusRequest>();
  status->add_option("job", sreq->job, "job name (default: all)");
  status->add_flag("--failures", sreq->failures, "list the quarantined rows of the job");
  status->add_option("--limit", sreq->failure_limit, "at most this many failures");
  reg.commands.emplace_back(status, [&g, sreq] {
    int code = 0;
    auto opts = Load(g, code);
    if (!opts) return code;
    auto r = bf::GetStatus(*opts, *sreq);
    return Finish(g, r.status, StatusJsonOf(r), StatusText(r));
  });

  struct Ctl {
    const char* name;
    const char* help;
    bf::ControlAction action;
  };
  for (const Ctl& c : {Ctl{"pause", "pause a job: its runner waits after the current chunk",
                           bf::ControlAction::kPause},
                       Ctl{"resume", "resume a paused job", bf::ControlAction::kResume},
                       Ctl{"cancel", "cancel a job: its runner stops after the current chunk",
                           bf::ControlAction::kCancel}}) {
    auto* sub = bfc->add_subcommand(c.name, c.help);
    auto req = std::make_shared<bf::ControlRequest>();
    req->action = c.action;
    sub->add_option("job", req->job, "job name")->required();
    reg.commands.emplace_back(sub, [&g, req] {
      int code = 0;
      auto opts = Load(g, code);
      if (!opts) return code;
      auto r = bf::Control(*opts, *req);
      json j = {{"ok", r.status.ok()},
                {"target", r.target},
                {"job", r.job},
                {"previous_status", r.previous_status},
                {"status", r.new_status},
                {"runner_alive", r.runner_alive},
                {"next_step", r.next_step},
                {"error", report::StatusJson(r.status)}};
      std::string text = r.status.ok() ? fmt::format("backfill {}: {} -> {}\nnext: {}\n", r.job,
                                                     r.previous_status, r.new_status, r.next_step)
                                       : "";
      return Finish(g, r.status, j, text);
    });
  }

  auto* set =
      bfc->add_subcommand("set",
                          "change chunk_size, max_rows_per_second, target_duration, "
                          "max_replica_lag of a job; a running job applies it at its next chunk");
  auto setreq = std::make_shared<bf::SetRequest>();
  set->add_option("job", setreq->job, "job name")->required();
  set->add_option("assignments", setreq->assignments, "key=value ...")->required();
  reg.commands.emplace_back(set, [&g, setreq] {
    int code = 0;
    auto opts = Load(g, code);
    if (!opts) return code;
    auto r = bf::Set(*opts, *setreq);
    json j = {{"ok", r.status.ok()},
              {"target", r.target},
              {"job", r.job},
              {"overrides", json::parse(r.overrides.empty() ? "{}" : r.overrides, nullptr, false)},
              {"runner_alive", r.runner_alive},
              {"error", report::StatusJson(r.status)}};
    std::string text =
        r.status.ok() ? fmt::format("backfill {}: overrides now {}{}\n", r.job, r.overrides,
                                    r.runner_alive ? " (the runner applies them at its next chunk)"
                                                   : " (applied when the job next runs)")
                      : "";
    return Finish(g, r.status, j, text);
  });
}

VerbRegistrar registrar(&Register);

}  // namespace

}  // namespace strata::cli
