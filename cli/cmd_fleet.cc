// strata fleet migrate|info|validate: flags → FleetRequest, progress on stderr (a live block
// on a terminal, JSON lines otherwise), the final table or --json. The work is in src/fleet.
#include "strata/fleet.h"

#include "base/duration.h"
#include "base/redact.h"
#include "cli/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>

#include "fleet/render.h"

namespace strata::cli {
namespace {

// The terminal view: one line per finished target that is not ok (kept), and a live block of
// one line per running target plus the totals, redrawn in place.
class TtyProgress {
 public:
  void operator()(const FleetEvent& e) {
    auto now = base::MonotonicMillis();
    switch (e.kind) {
      case FleetEvent::Kind::kTargetStarted:
        running_[e.target] = {now, "connecting"};
        break;
      case FleetEvent::Kind::kEngine:
        if (e.event) {
          auto& r = running_[e.target];
          if (e.event->Is<Event::MigrationStarted>() && e.event->migration) {
            const auto& m = *e.event->migration;
            r.what = fmt::format("[{}/{}] {}", m.index + 1, m.count, m.script);
          } else if (const auto* w = e.event->As<Event::LockWaiting>()) {
            r.what = base::RedactSecrets("waiting for the lock held by " + w->holder);
          }
        }
        if (now - last_draw_ < 100) return;
        break;
      case FleetEvent::Kind::kTargetDone:
        running_.erase(e.target);
        Clear();
        if (e.result) {
          const auto& t = *e.result;
          std::string line = fmt::format("{:<11} {}  {} applied  {}", t.result, t.name, t.applied,
                                         base::FormatDuration(base::Millis(t.elapsed_ms)));
          if (!t.status.ok()) line += "  " + base::RedactSecrets(t.status.message());
          for (char& c : line) {
            if (c == '\n' || c == '\t' || c == '\r') c = ' ';
          }
          if (line.size() > 160) line = line.substr(0, 157) + "...";
          std::cerr << line << "\n";
        }
        break;
      case FleetEvent::Kind::kWaveStarted:
        Clear();
        std::cerr << (e.wave == 0 ? std::string("canary wave\n")
                                  : fmt::format("wave {}\n", e.wave));
        break;
    }
    Draw(e, now);
  }
  void Done() { Clear(); }

 private:
  struct Running {
    std::int64_t since = 0;
    std::string what;
  };
  void Clear() {
    if (lines_ > 0) std::cerr << fmt::format("\x1b[{}A\x1b[J", lines_);
    lines_ = 0;
  }
  void Draw(const FleetEvent& e, std::int64_t now) {
    Clear();
    for (const auto& [name, r] : running_) {
      std::string line = fmt::format("  {}  {}  {}", name, r.what,
                                     base::FormatDuration(base::Millis(now - r.since)));
      if (line.size() > 150) line = line.substr(0, 147) + "...";
      std::cerr << line << "\n";
      ++lines_;
    }
    std::cerr << fmt::format("{}/{} done, {} failed, {} running\n", e.done, e.total, e.failed,
                             running_.size());
    ++lines_;
    last_draw_ = now;
  }
  std::map<std::string, Running> running_;
  int lines_ = 0;
  std::int64_t last_draw_ = 0;
};

void Register(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* fleet = app.add_subcommand(
      "fleet",
      "run migrate, info, validate, verify, lint or drift over every target of db/fleet.toml");
  fleet->require_subcommand(1);
  fleet->fallthrough();
  Examples(fleet, {{"strata fleet migrate --parallel 8 --canary staging",
                    "the canary first, then every other target, 8 at a time"},
                   {"strata fleet info", "which targets are behind, failed or locked"}});
  struct Verb {
    const char* name;
    const char* help;
  };
  for (Verb v : {Verb{"migrate", "apply pending migrations to every target (canary, waves)"},
                 Verb{"info", "which targets are behind, by how much, failed or locked"},
                 Verb{"validate", "validate every target's ledger against the files"},
                 Verb{"verify", "run every target's post-checks again (recorded per target)"},
                 Verb{"lint", "the lint gate's verdict on every target's pending migrations, live"},
                 Verb{"drift", "compare every target's live schema with its history"}}) {
    auto* sub = fleet->add_subcommand(v.name, v.help);
    sub->fallthrough();
    auto req = std::make_shared<FleetRequest>();
    auto timeout = std::make_shared<std::string>();
    req->verb = v.name;
    sub->add_option("--fleet", req->fleet_file, "the fleet file (default db/fleet.toml)");
    sub->add_option("--parallel", req->parallel, "targets run at once (default: the file's, 4)")
        ->check(CLI::Range(1, 1024));
    sub->add_option("--only", req->only, "only these targets: names or labels (label:x)")
        ->delimiter(',');
    if (std::string_view(v.name) == "lint") {
      sub->add_option("--target", req->target, "lint the pending migrations up to this version");
    }
    if (std::string_view(v.name) == "drift") {
      sub->add_option("--against", req->against,
                      "the schema file to compare with (default: [schema] file)");
    }
    if (std::string_view(v.name) == "migrate") {
      sub->add_option("--canary", req->canary,
                      "run these targets (names or labels) first, alone; stop if one fails")
          ->delimiter(',');
      sub->add_option("--wave-size", req->wave_size,
                      "targets per wave after the canary (0: one wave)")
          ->check(CLI::Range(0, 1'000'000));
      sub->add_option("--max-failures", req->max_failures,
                      "stop starting targets after this many failed (default 1)")
          ->check(CLI::Range(1, 1'000'000));
      sub->add_flag("--keep-going", req->keep_going,
                    "never stop for failures: run every target and report");
      sub->add_option("--target-timeout", *timeout,
                      "per-target time limit, e.g. 10m (PostgreSQL: its sessions are "
                      "terminated; SQLite: its statement is interrupted)");
      sub->add_flag("--resume", req->resume,
                    "run only the targets that did not finish ok in the last fleet run");
      sub->add_flag("--dry-run", req->dry_run, "list the targets and waves; run nothing");
      sub->add_option("--target", req->target, "apply up to and including this version");
    }
    reg.commands.emplace_back(sub, [&g, req, timeout] {
      int code = 0;
      auto opts = LoadOptions(g, code);
      if (!opts) return code;
      if (!timeout->empty()) {
        auto d = base::ParseDuration(*timeout);
        if (!d) {
          Status bad(ErrorCode::kUsage, fmt::format("--target-timeout: {}", d.error().message()));
          return Finish(g, bad, {{"ok", false}, {"error", report::StatusJson(bad)}}, "");
        }
        req->target_timeout_ms = d->count();
      }
      bool tty = !g.log_json && isatty(STDERR_FILENO);
      std::shared_ptr<TtyProgress> bar;
      FleetSink sink;
      if (tty) {
        bar = std::make_shared<TtyProgress>();
        sink = [bar](const FleetEvent& e) { (*bar)(e); };
      } else {
        bool engine = g.log_json;
        sink = [engine](const FleetEvent& e) {
          if (e.kind == FleetEvent::Kind::kEngine && !engine) return;
          std::cerr << fleet::ToJson(e).dump() << "\n";  // one line; strings redacted
        };
      }
      FleetResult r = Fleet(*opts, *req, sink);
      if (bar) bar->Done();
      if (g.json) return Finish(g, r.status, fleet::ToJson(r), "");
      return Finish(g, r.status, nlohmann::json(), r.targets.empty() ? "" : fleet::ToText(r));
    });
  }
}

VerbRegistrar registrar("fleet", &Register);

}  // namespace
}  // namespace strata::cli
