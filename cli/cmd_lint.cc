// strata lint: wires flags to the analyzer (src/lint: inputs from paths and standard input, the
// ledger's and git's view of what is pending, the rules) and picks a renderer. No domain logic.
#include "base/file.h"
#include "cli/commands.h"
#include "config/config.h"
#include "db/connection.h"
#include "lint/git.h"
#include "lint/linter.h"
#include "lint/pending_set.h"
#include "lint/registry.h"
#include "lint/render.h"
#include "lint/trace.h"
#include "session/session.h"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>

namespace strata::cli {

namespace {

struct LintFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string fail_on;
  std::string explain;
  bool rules = false;
  std::string pg_version;
  std::string since;
  std::string stdin_name;
  std::string trace;
  std::string dialect;
  std::string jobs;         // --jobs/-j as given
  bool jobs_given = false;  // without it: every CPU this process may use
};

// The CPUs this process may run on (its affinity mask: taskset, cgroups' cpusets), at least 1.
int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return 1;
}

int Usage(const GlobalFlags& g, std::string message, std::string hint) {
  Status s = Status(ErrorCode::kUsage, std::move(message)).WithHint(std::move(hint));
  return Finish(g, s, {{"ok", false}, {"error", report::StatusJson(s)}}, "");
}

int Fail(const GlobalFlags& g, const Status& s) {
  return Finish(g, s, {{"ok", false}, {"error", report::StatusJson(s)}}, "");
}

int RunLint(const GlobalFlags& g, const LintFlags& f) {
  std::string format = g.json ? "json" : f.format;
  if (f.rules) {
    if (format == "json") {
      std::cout << report::Dump(report::Envelope(lint::RuleListJson(), Status::Ok())) << "\n";
    } else {
      std::cout << lint::RenderRuleList();
    }
    return 0;
  }
  if (!f.explain.empty()) {
    const lint::RuleInfo* r = lint::FindRule(f.explain);
    if (!r)
      return Usage(g, fmt::format("unknown rule `{}`", f.explain), "run `strata lint --rules`");
    std::string_view doc = lint::RuleDoc(*r);
    if (format == "json") {
      std::cout << report::Dump(report::Envelope({{"id", r->id}, {"name", r->name}, {"doc", doc}},
                                                 Status::Ok()))
                << "\n";
    } else {
      std::cout << doc;
    }
    return 0;
  }
  if (format != "text" && format != "json" && format != "sarif" && format != "github") {
    return Usage(g, fmt::format("unknown --format `{}`", format),
                 "use text, json, sarif or github");
  }

  int jobs = AvailableCpus();
  if (f.jobs_given) {
    const char* end = f.jobs.data() + f.jobs.size();
    auto [p, ec] = std::from_chars(f.jobs.data(), end, jobs);
    if (ec != std::errc() || p != end || jobs < 1 || jobs > 1024) {
      return Usage(g,
                   fmt::format("bad --jobs `{}`: expected a whole number from 1 to 1024", f.jobs),
                   "e.g. --jobs 4; --jobs 1 lints on one thread; without --jobs, strata uses "
                   "every CPU it may run on");
    }
  }

  int code = 0;
  auto opts = LoadOptions(g, code);
  if (!opts) return code;
  auto config = lint::LoadLintConfig(*opts);
  if (!config) return Fail(g, config.error());
  if (!f.fail_on.empty()) {
    if (f.fail_on == "never") {
      config->fail_on = static_cast<lint::Severity>(255);
    } else if (auto s = lint::ParseSeverity(f.fail_on)) {
      config->fail_on = *s;
    } else {
      return Usage(g, fmt::format("unknown --fail-on `{}`", f.fail_on),
                   "use error, warning, info or never");
    }
  }
  if (!f.trace.empty()) {
    auto trace = lint::ReadTrace(f.trace);
    if (!trace)
      return Finish(g, trace.error(), {{"ok", false}, {"error", report::StatusJson(trace.error())}},
                    "");
    config->trace = std::make_shared<const lint::Trace>(std::move(*trace));
  }
  if (!f.pg_version.empty()) {
    try {
      size_t dot = f.pg_version.find('.');
      config->pg_version = std::stoi(f.pg_version.substr(0, dot));
      config->pg_minor = dot == std::string::npos ? -1 : std::stoi(f.pg_version.substr(dot + 1));
      config->pg_version_source = "flag";
    } catch (...) {
      return Usage(g, fmt::format("bad --pg-version `{}`", f.pg_version),
                   "e.g. --pg-version 15 or 14.3");
    }
  }

  // The target database: --dialect, else the project's URL (--url, STRATA_URL, strata.toml).
  // SQLite migrations are read by SQLite itself, not by PostgreSQL's grammar (docs/lint.md).
  if (!f.dialect.empty()) {
    if (f.dialect == "sqlite") {
      config->dialect = db::Dialect::kSqlite;
    } else if (f.dialect == "postgres" || f.dialect == "postgresql") {
      config->dialect = db::Dialect::kPostgres;
    } else {
      return Usage(g, fmt::format("unknown --dialect `{}`", f.dialect), "use postgres or sqlite");
    }
  } else {
    // A URL the project chose: for this run (--url, STRATA_URL, DATABASE_URL) or in
    // strata.toml (`strata init` writes `url = "sqlite:strata.db"`), so `lint` judges the same
    // dialect the migrate gate does. Not the sqlite:strata.db fallback of a project that names
    // no database: lint then judges PostgreSQL, the production target.
    bool chosen = !g.url.empty() || std::getenv("STRATA_URL") || std::getenv("DATABASE_URL");
    if (!chosen && !opts->config_path.empty() && !config->dialect_declared) {
      std::string why;
      if (auto text = base::ReadFile(opts->config_path, &why)) {
        auto file = config::Parse(*text, opts->config_path, opts->project_dir);
        chosen = file.ok() && !file->url.empty();
      }
    }
    if (chosen) {
      if (auto u = db::ParseUrl(opts->url)) config->dialect = u->dialect;
    }
  }

  // `-`: one migration from standard input (editors, pre-commit hooks). Other paths given with
  // it are read as earlier migrations (context, not reported); when --stdin-name names one of
  // them, standard input replaces that file's content.
  bool from_stdin = false;
  std::vector<std::string> paths;
  for (const auto& p : f.paths) {
    if (p == "-") {
      if (from_stdin) return Usage(g, "`-` is given twice", "standard input holds one migration");
      from_stdin = true;
    } else {
      paths.push_back(p);
    }
  }
  if (!from_stdin && !f.stdin_name.empty()) {
    return Usage(g, "--stdin-name without `-`",
                 "pass `-` to read the migration from standard input");
  }
  if (!from_stdin && paths.empty()) paths = opts->locations;
  auto inputs = lint::LoadInputs(paths, opts->ignore_patterns, jobs);
  if (!inputs) return Fail(g, inputs.error());
  if (from_stdin) {
    lint::UseStdinInput(
        *inputs,
        std::string{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()},
        f.stdin_name);
  }

  // --url: the target (lint/pending_set.h: version, sizes, schema), and the ledger's view of
  // what is applied.
  std::optional<session::Session> live_session;  // open while linting: row estimates use it
  if (!g.url.empty()) {
    // Through the session layer (connect retry, redaction); lint reads sizes and never creates
    // a database.
    auto conn = session::Open(*opts, "lint");
    if (!conn) return Fail(g, conn.error());
    live_session = std::move(*conn);
    InfoResult info = Info(*opts);
    if (info.status.ok()) lint::MarkApplied(*inputs, info.migrations);
  }

  // --since: lint only what changed; earlier files are context for the model.
  if (!f.since.empty()) {
    Status s = lint::MarkChangedSince(lint::SystemGit(), paths, f.since, *inputs);
    if (!s.ok()) return Fail(g, s);
  }

  // What "new" means (docs/lint.md, "New and existing"): a relation is new only if the pending
  // set creates it. The pending set is what the ledger says is pending (--url), else what
  // changed since a git ref (--since); with neither, each file is linted on its own, as if every
  // earlier file were applied, so a breaking change to an old table is caught in CI.
  if (g.url.empty() && f.since.empty()) config->new_means_same_file = true;
  const db::Dialect dialect = config->dialect;
  auto target = lint::ReadTarget(*config, live_session ? live_session->conn.get() : nullptr);
  if (!target) return Fail(g, target.error());
  if (!f.dialect.empty()) target->config.dialect = dialect;  // --dialect names it outright
  // The result lives until exit (held by a static, so leak checkers see it reachable): its
  // teardown, a report per statement, would only delay the exit.
  static lint::LintResult* kept = nullptr;
  kept = new lint::LintResult(lint::LintPendingSet(*inputs, *target, jobs));
  const lint::LintResult& result = *kept;
  int exit_code = result.CountAtLeast(config->fail_on) > 0 ? ExitCodeFor(ErrorCode::kLint) : 0;
  // JSON and SARIF come in pieces (the slices rendered on each thread), written in order.
  lint::Pieces out;
  if (format == "json" || format == "sarif") {
    // A string that is not UTF-8 (JSON cannot carry it) is an error naming it, not a report.
    Result<lint::Pieces> pieces = [&]() -> Result<lint::Pieces> {
      if (format == "sarif") return lint::RenderSarifPieces(result, jobs);
      Status gate = lint::GateStatus(result, config->fail_on);
      return lint::RenderJsonPieces(result, config->fail_on,
                                    gate.ok() ? "null" : report::Dump(report::StatusJson(gate)),
                                    jobs);
    }();
    if (!pieces) return Fail(g, pieces.error());
    out = std::move(*pieces);
    out.emplace_back("\n");
  } else if (format == "github") {
    out.push_back(lint::RenderGithub(result));
  } else {
    out.push_back(lint::RenderText(result, config->fail_on, UseColor(g, STDOUT_FILENO), jobs));
  }
  for (const auto& piece : out) {
    std::cout.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  std::cout.flush();
  return exit_code;
}

}  // namespace

void RegisterLintCommand(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* cmd = app.add_subcommand(
      "lint", "analyze migrations for locks, rewrites and breaking changes (no database needed)");
  auto flags = std::make_shared<LintFlags>();
  cmd->add_option("paths", flags->paths,
                  "migration files or directories (default: locations); `-` reads one migration "
                  "from standard input");
  cmd->add_option("--format", flags->format, "text (default), json, sarif or github");
  cmd->add_option("--fail-on", flags->fail_on,
                  "exit 7 when a finding is at or above: error (default), warning, info, never");
  cmd->add_option("--explain", flags->explain, "print the documentation of a rule (id or name)");
  cmd->add_flag("--rules", flags->rules, "list every rule");
  cmd->add_option("--pg-version", flags->pg_version,
                  "target PostgreSQL version (default: [lint] pg_version, the live server, or 15)");
  cmd->add_option("--since", flags->since,
                  "lint only migrations added or changed since this git ref; flag edited ones");
  cmd->add_option("--dialect", flags->dialect,
                  "postgres or sqlite (default: the project's URL, else postgres)");
  cmd->add_option("--stdin-name", flags->stdin_name,
                  "the file name standard input stands for (messages, naming rules)");
  cmd->add_option("-j,--jobs", flags->jobs,
                  "threads to lint with (default: every CPU strata may run on; 1: one thread); "
                  "the output is the same")
      ->each([flags](const std::string&) { flags->jobs_given = true; });
  cmd->add_option("--trace", flags->trace,
                  "an observed-lock trace (strata test --trace): its observations replace the "
                  "analyzer's predictions for the statements it covers");
  Examples(cmd, {{"strata lint --format sarif > strata-lint.sarif",
                  "lint every migration for code scanning"},
                 {"strata lint --since origin/main --fail-on warning",
                  "only the migrations this branch adds or changes"}});
  reg.commands.emplace_back(cmd, [&g, flags] { return RunLint(g, *flags); });
}

}  // namespace strata::cli
