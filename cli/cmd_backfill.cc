// strata backfill plan|run|status|pause|resume|cancel|set: CLI wiring only; the work is in
// src/backfill, its renderers in backfill/render.h. Progress: a bar on a TTY (redrawn in place),
// JSON lines (one per interval) otherwise; this file picks one and writes it to stderr.
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
#include "backfill/render.h"

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

bf::BackfillSink ProgressSinkFor(const GlobalFlags& g, std::int64_t interval_ms) {
  bool tty = !g.log_json && isatty(STDERR_FILENO);
  auto last = std::make_shared<std::int64_t>(-1'000'000);
  if (tty) {
    // `open`: a bar is on the terminal's current line (no line feed after it yet): it is
    // redrawn in place (\r, erase to the end of the line); any other line first ends it.
    auto open = std::make_shared<bool>(false);
    auto draw = [open](const bf::BackfillEvent& e, std::string_view note = {}) {
      std::cerr << "\r" << bf::ProgressBar(e, TerminalColumns(), note) << "\x1b[K" << std::flush;
      *open = true;
    };
    auto line = [open](const std::string& text) {
      if (*open) std::cerr << "\n";
      *open = false;
      std::cerr << base::RedactSecrets(text) << "\n" << std::flush;
    };
    return [last, open, draw, line](const bf::BackfillEvent& e) {
      auto now = base::MonotonicMillis();
      if (e.Is<bf::BackfillEvent::Chunk>()) {
        if (now - *last < 100) return;
        *last = now;
        draw(e);
      } else if (const auto* t = e.As<bf::BackfillEvent::Throttle>()) {
        if (t->reason == bf::ThrottleReason::kReplicaLag || now - *last >= 1000) {
          draw(e, std::string("throttled: ") + bf::ThrottleReasonName(t->reason));
        }
      } else if (e.Is<bf::BackfillEvent::Verify>() || e.Is<bf::BackfillEvent::Done>()) {
        // The final counts, once: the bar is redrawn in place and ended. The verification
        // and the outcome are in the summary that follows on stdout.
        if (*open) {
          draw(e);
          std::cerr << "\n" << std::flush;
          *open = false;
        }
      } else {
        line(bf::EventLine(e));
      }
    };
  }
  return [last, interval_ms](const bf::BackfillEvent& e) {
    auto now = base::MonotonicMillis();
    bool periodic = e.Is<bf::BackfillEvent::Chunk>() || e.Is<bf::BackfillEvent::Throttle>();
    if (periodic) {
      if (now - *last < interval_ms) return;
      *last = now;
    }
    std::cerr << base::RedactSecrets(bf::EventJson(e).dump()) << "\n" << std::flush;
  };
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
    return Finish(g, r.status, bf::ToJson(r), bf::ToText(r));
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
    return Finish(g, r.status, bf::ToJson(r), bf::ToText(r));
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
    return Finish(g, r.status, bf::ToJson(r), bf::ToText(r));
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
      return Finish(g, r.status, bf::ToJson(r), bf::ToText(r));
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
    return Finish(g, r.status, bf::ToJson(r), bf::ToText(r));
  });
}

VerbRegistrar registrar("backfill", &Register);

}  // namespace

}  // namespace strata::cli
