// migrate, info, validate, repair, baseline, hash.
#include "base/duration.h"
#include "base/redact.h"
#include "cli/commands.h"
#include "config/config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

namespace strata::cli {

std::optional<Options> LoadOptions(const GlobalFlags& g, int& exit_code) {
  config::Overrides o{g.config, g.url, g.locations};
  auto opts = config::Load(o);
  if (!opts) {
    exit_code =
        Finish(g, opts.error(), {{"ok", false}, {"error", report::StatusJson(opts.error())}}, "");
    return std::nullopt;
  }
  if (!g.lock_wait.empty()) {
    auto d = base::ParseDuration(g.lock_wait);
    if (!d) {
      Status bad(ErrorCode::kUsage, fmt::format("--lock-wait: {}", d.error().message()));
      exit_code = Finish(g, bad, {{"ok", false}, {"error", report::StatusJson(bad)}}, "");
      return std::nullopt;
    }
    opts->lock_wait = *d;
  }
  if (!g.connect_timeout.empty()) {
    auto d = base::ParseDuration(g.connect_timeout);
    if (!d) {
      Status bad(ErrorCode::kUsage, fmt::format("--connect-timeout: {}", d.error().message()));
      exit_code = Finish(g, bad, {{"ok", false}, {"error", report::StatusJson(bad)}}, "");
      return std::nullopt;
    }
    opts->connect_timeout = *d;
  }
  return std::move(*opts);
}

int Finish(const GlobalFlags& g, const Status& status, const nlohmann::json& j,
           const std::string& text) {
  if (g.json) {
    std::cout << report::Dump(report::Envelope(j, status)) << "\n";
  } else {
    std::cout << text;
    std::cout.flush();
    if (!status.ok()) std::cerr << report::ErrorText(status);
  }
  return ExitCodeFor(status.code());
}

EventSink ProgressSink(const GlobalFlags& g) {
  if (g.log_json) {
    return [](const Event& e) { std::cerr << report::ToJson(e).dump() << "\n"; };
  }
  if (!isatty(STDERR_FILENO)) return {};
  return [](const Event& e) {
    if (const auto* w = e.As<Event::LockWaiting>()) {
      std::cerr << base::RedactSecrets(
          fmt::format("waiting for the migration lock held by {}\n", w->holder));
    } else if (e.Is<Event::MigrationStarted>() && e.migration) {
      const auto& m = *e.migration;
      std::cerr << fmt::format("[{}/{}] {} ({} statement(s)) ...", m.index + 1, m.count, m.script,
                               m.statements);
    } else if (const auto* d = e.As<Event::MigrationDone>()) {
      std::cerr << fmt::format(" done in {}{}\n", base::FormatDuration(base::Millis(d->elapsed_ms)),
                               d->attempts > 1 ? fmt::format(", {} attempts", d->attempts) : "");
    } else if (e.Is<Event::MigrationFailed>()) {
      std::cerr << " failed\n";
    } else if (const auto* r = e.As<Event::Retry>()) {
      std::cerr << fmt::format("\n  lock timeout (attempt {}), retrying in {} ...", r->attempt,
                               base::FormatDuration(base::Millis(r->backoff_ms)));
    }
  };
}

namespace {

void RegisterMigrate(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* migrate = app.add_subcommand("migrate", "apply pending migrations");
  auto mreq = std::make_shared<MigrateRequest>();
  migrate->add_option("--target", mreq->target,
                      "apply versioned migrations up to this version (`latest`, the default; "
                      "`current`: nothing newer than what is applied)");
  auto out_of_order = std::make_shared<bool>(false);
  migrate->add_flag("--out-of-order", *out_of_order,
                    "apply pending migrations older than the newest applied one (overrides "
                    "[migrate] out_of_order and STRATA_MIGRATE_OUT_OF_ORDER)");
  migrate->add_flag("--dry-run", mreq->dry_run,
                    "print exactly the SQL that would run; change nothing");
  auto* resume =
      migrate->add_flag("--resume", mreq->resume,
                        "continue a failed non-transactional migration at its failed statement");
  migrate
      ->add_option("--in-flight", mreq->in_flight,
                   "with --resume: your verdict on a statement that was in flight when the run "
                   "stopped and that strata cannot judge from the database")
      ->check(CLI::IsMember({"done", "rerun"}))
      ->needs(resume);
  migrate->add_flag("--allow-open-changes", mreq->allow_open_changes,
                    "apply plain migrations that touch a table with an open `strata change`");
  migrate->add_flag("--complete-changes", mreq->complete_changes,
                    "first complete the `strata change` windows earlier runs left open (once "
                    "the old application version is gone)");
  Examples(migrate,
           {{"strata --url postgres://app@localhost/app migrate", "apply every pending migration"},
            {"strata migrate --dry-run --target 42", "print the SQL up to version 42"}});
  reg.commands.emplace_back(migrate, [&g, mreq, out_of_order] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    if (*out_of_order) opts->out_of_order = true;
    mreq->sink = ProgressSink(g);
    auto r = Migrate(*opts, *mreq);
    if (g.json) return FinishResult(g, r);
    // Progress already listed each migration with its time on this terminal: the summary
    // does not list them again (with a second, different time).
    bool listed = mreq->sink && !g.log_json && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
    return Finish(g, r.status, nlohmann::json(), report::ToText(r, !listed));
  });
}

void RegisterInfo(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* info = app.add_subcommand("info", "show every migration and its state");
  Examples(info, {{"strata info", "every migration with its state"},
                  {"strata info --json", "the same as JSON"}});
  reg.commands.emplace_back(info, [&g] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = Info(*opts);
    return Finish(g, r.status, report::ToJson(r),
                  r.status.ok() ? report::ToText(r, UseColor(g, STDOUT_FILENO)) : "");
  });
}

void RegisterValidate(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* validate = app.add_subcommand(
      "validate", "check that files, strata.sum and the ledger agree (exit 3 if not)");
  auto vreq = std::make_shared<ValidateRequest>();
  validate->add_option("--expect-head", vreq->expect_head,
                       "a ledger head kept outside the database (validate --json's ledger_head): "
                       "the ledger must still hold that row");
  validate
      ->add_option("--ignore", vreq->ignore,
                   "states to accept: pending (a pre-deploy check), future (an older "
                   "application version is deployed); adds to strata.toml's validate.ignore")
      ->check(CLI::IsMember({"pending", "future"}))
      ->delimiter(',');
  Examples(validate, {{"strata validate", "exit 3 when files, strata.sum and the ledger disagree"},
                      {"strata validate --json --expect-head <head>",
                       "also check a ledger head kept outside the database"}});
  reg.commands.emplace_back(validate, [&g, vreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = Validate(*opts, *vreq);
    if (!g.json && !r.issues.empty()) {
      std::cout << report::ToText(r);
      return ExitCodeFor(r.status.code());
    }
    return FinishResult(g, r);
  });
}

void RegisterRepair(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* repair = app.add_subcommand(
      "repair", "clear failed migrations and accept named checksum changes (recorded)");
  auto rreq = std::make_shared<RepairRequest>();
  repair->add_option("--accept-checksum", rreq->accept_checksum,
                     "accept the current checksum of this applied version (repeatable)");
  repair->add_option("--reason", rreq->reason, "why; recorded in the ledger")->required();
  repair->add_option("--failed", rreq->clear_failed_version, "clear only this failed version");
  Examples(repair, {{"strata repair --reason \"fixed by hand\"", "clear failed migrations"},
                    {"strata repair --accept-checksum 7 --reason \"comment only\"",
                     "accept an edited applied file"}});
  reg.commands.emplace_back(repair, [&g, rreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = Repair(*opts, *rreq);
    return FinishResult(g, r);
  });
}

void RegisterBaseline(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* baseline = app.add_subcommand("baseline", "adopt an existing database at a version");
  auto breq = std::make_shared<BaselineRequest>();
  baseline->add_option("--version", breq->version, "the version the database already contains")
      ->required();
  baseline->add_option("--description", breq->description, "description of the baseline row");
  Examples(baseline, {{"strata baseline --version 12",
                       "adopt a database that already holds versions up to 12"}});
  reg.commands.emplace_back(baseline, [&g, breq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = Baseline(*opts, *breq);
    return FinishResult(g, r);
  });
}

void RegisterHash(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* hash = app.add_subcommand("hash", "rewrite strata.sum from the migration files");
  auto hreq = std::make_shared<HashRequest>();
  hash->add_flag("--check", hreq->check,
                 "write nothing; exit 3 when strata.sum does not match the files (pre-commit, CI)");
  Examples(hash, {{"strata hash", "rewrite strata.sum after adding a migration"},
                  {"strata hash --check", "fail when strata.sum is out of date"}});
  reg.commands.emplace_back(hash, [&g, hreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = Hash(*opts, *hreq);
    return FinishResult(g, r);
  });
}

}  // namespace

std::vector<VerbRegistration> EngineVerbs() {
  return {{"migrate", &RegisterMigrate},   {"info", &RegisterInfo},
          {"validate", &RegisterValidate}, {"repair", &RegisterRepair},
          {"baseline", &RegisterBaseline}, {"hash", &RegisterHash}};
}

}  // namespace strata::cli
