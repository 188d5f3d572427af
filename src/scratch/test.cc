// `strata test` (the history applied to a throwaway database: migrate with its pre/post-checks,
// verify, the schema compared with the committed schema file) and `strata drift --scratch`
// (the applied migrations replayed on a throwaway database, compared with the live one).
#include "strata/commands.h"

#include "base/file.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "lint/trace.h"
#include "migrate/version.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "schema/schema.h"
#include "scratch/fixtures.h"
#include "scratch/observe.h"
#include "scratch/release.h"
#include "scratch/scratch.h"

namespace strata {
namespace {

std::int64_t Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

// The options a run on the scratch database uses: its URL, no schema file written.
Options OnScratch(const Options& options, const scratch::Database& d) {
  Options o = options;
  o.url = d.url();
  o.schema_file.clear();
  return o;
}

Result<std::unique_ptr<db::Connection>> ConnectTo(const std::string& raw, std::string_view app,
                                                  bool may_create = false) {
  STRATA_ASSIGN_OR_RETURN(db::DbUrl url, db::ParseUrl(raw));
  url.may_create = may_create;
  return db::Connect(url, app);
}

}  // namespace

TestResult Test(const Options& options, const TestRequest& request) {
  auto t0 = std::chrono::steady_clock::now();
  TestResult r;
  auto url = db::ParseUrl(options.url);
  if (!url) {
    r.status = url.error();
    return r;
  }
  // --keep on PostgreSQL: a warm server and a template of the last good state, per project.
  bool warm = request.keep && url->dialect == db::Dialect::kPostgres && request.scratch != "sqlite";
  std::string key =
      base::Sha256Hex(options.project_dir + "\n" + base::RedactUrl(options.url)).substr(0, 12);
  auto scratch = warm ? scratch::Database::CreateWarm(request.scratch, key)
                      : scratch::Database::Create(request.scratch, url->dialect, request.keep);
  if (!scratch) {
    r.status = scratch.error();
    return r;
  }
  Options on = OnScratch(options, **scratch);
  // Warm: whatever the outcome, the next run's clone of the template is made in the background
  // once this run is done with it (after Promote), so the next run need not wait for the copy.
  struct PrepareNext {
    scratch::Database* d;
    ~PrepareNext() {
      if (d) d->PrepareNext();
    }
  } prepare_next{warm ? scratch->get() : nullptr};
  // What the database has before this run: the template's migrations. A template whose
  // applied migrations no longer match the files is not used.
  std::set<std::string> applied_before;
  if ((*scratch)->from_template()) {
    InfoResult have = Info(on);
    bool fits = have.status.ok();
    for (const auto& row : have.migrations) {
      if (row.checksum_mismatch || row.state == "missing" || row.state == "failed" ||
          row.state == "future") {
        fits = false;
      }
    }
    if (!fits) {
      if (Status s = (*scratch)->Recreate(); !s.ok()) {
        r.status = std::move(s);
        return r;
      }
    } else {
      int n = 0;
      for (const auto& row : have.migrations) {
        if (row.state == "applied") {
          ++n;
          if (!row.version.empty()) applied_before.insert(row.version);
        }
      }
      r.steps.push_back({"template", "passed",
                         fmt::format("{} migration(s) already applied in the template of the last "
                                     "good run",
                                     n),
                         0});
    }
  }
  r.scratch = (*scratch)->description();

  // 1. Every migration from empty, with its pre- and post-checks; a data fixture's before.sql
  // loaded just before its migration and its expect.toml checked just after it.
  auto fixtures = scratch::FindFixtures(options);
  if (!fixtures) {
    r.status = fixtures.error();
    return r;
  }
  std::vector<std::string> versions;  // of the migration files, in order
  if (!fixtures->empty()) {
    // The scratch database exists from here on (a SQLite file is created), empty.
    if (auto c = ConnectTo(on.url, "strata test", /*may_create=*/true); !c) {
      r.status = c.error();
      return r;
    }
    InfoResult files = Info(on);
    if (!files.status.ok()) {
      r.status = files.status;
      return r;
    }
    for (const auto& row : files.migrations) {
      if (!row.version.empty()) versions.push_back(row.version);
    }
  }
  // Observed locks (PostgreSQL): every transactional migration's statements are watched.
  bool observe = url->dialect == db::Dialect::kPostgres;
  scratch::LockObserver observer;
  int major = 15;  // the scratch server's, once connected
  auto run_migrate = [&](const std::string& target, const Options& with) {
    auto tm = std::chrono::steady_clock::now();
    MigrateRequest mreq;
    mreq.target = target;
    mreq.observe = observe;
    if (observe) {
      // What exists before this run (fixtures may have built tables), to see rewrites.
      auto c = ConnectTo(on.url, "strata test");
      Status s = c ? observer.Snapshot(**c) : c.error();
      if (!s.ok()) {
        r.status = std::move(s).Wrap("strata test: reading the scratch database's tables");
        return false;
      }
      r.server = (*c)->ServerVersion();
      major = (*c)->ServerMajorVersion();
      // The analyzer's side of the comparison is the migrate gate's lint (MigrateResult::
      // gate_lint); without a gate, a lint of the files while the migrations run.
      if (!with.lint_gate) observer.StartLint(options, major);
    }
    std::string current;  // the migration running when the run stopped
    mreq.sink = [&current, &observer](const Event& e) {
      if (e.Is<Event::MigrationStarted>()) current = e.migration->script;
      observer.OnEvent(e);
    };
    MigrateResult m = Migrate(with, mreq);
    observer.AddGateLint(std::move(m.gate_lint));
    for (const auto& a : m.applied) {
      int failed = 0;
      for (const auto& c : a.checks) failed += !c.ok && !c.skipped;
      r.checks += static_cast<int>(a.checks.size());
      r.steps.push_back({a.script, failed ? "failed" : "passed",
                         fmt::format("{} statement(s), {} check(s)", a.statements, a.checks.size()),
                         a.execution_time_ms});
    }
    r.migrations += static_cast<int>(m.applied.size());
    if (m.status.ok()) return true;
    r.steps.push_back(
        {current.empty() ? "migrate" : current, "failed", m.status.ToString(), Since(tm)});
    r.status = std::move(m.status).Wrap(
        current.empty() ? std::string("strata test: migrate on the scratch database")
                        : fmt::format("strata test: {} on the scratch database", current));
    return false;
  };
  // --from: the database as of a version, a release (db/releases.toml) or a git tag first,
  // the upgrade path production takes; fixtures of what it already holds are not loaded.
  // Without --from, in a git work tree with tags: as of the last tag. `--from empty`: none.
  std::string from = request.from == "empty" ? "" : request.from;
  bool last_tag = false;
  // (A warm template already holds a later state than any tag: git is not asked.)
  if (request.from.empty() && applied_before.empty()) {
    if (auto tag = scratch::LastGitTag(options.project_dir)) {
      from = *tag;
      last_tag = true;
    }
  }
  if (!from.empty() && !applied_before.empty()) {
    // A warm template already holds a later state than any release.
    r.steps.push_back({"from " + from, "skipped", "the template of the last good run is newer", 0});
  } else if (!from.empty()) {
    auto tf = std::chrono::steady_clock::now();
    std::optional<Result<std::string>> target;
    if (!last_tag) target = scratch::FromTarget(options, from);
    if (target && target->ok()) {
      if (!run_migrate(**target, on)) {
        r.elapsed_ms = Since(t0);
        return r;
      }
      r.steps.push_back({"from " + from, "passed",
                         fmt::format("the scratch database as of version {}", **target),
                         Since(tf)});
    } else if (last_tag || scratch::IsGitTag(options.project_dir, from)) {
      // The migration files as they were at the tag, applied as production applied them.
      char tmpl[] = "/tmp/strata-tag-XXXXXX";
      if (!mkdtemp(tmpl)) {
        r.status = Status(ErrorCode::kIo, "could not create a temporary directory")
                       .WithHint("check that /tmp is writable");
        return r;
      }
      struct Remove {
        std::string dir;
        ~Remove() {
          std::error_code ec;
          std::filesystem::remove_all(dir, ec);
        }
      } remove{tmpl};
      auto dirs = scratch::LocationsAtTag(options, from, tmpl);
      if (!dirs) {
        r.status = dirs.error();
        return r;
      }
      int files = 0;
      for (const auto& d : *dirs) {
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(d, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
          files += it->is_regular_file() && it->path().extension() == ".sql";
        }
      }
      std::string what = last_tag ? fmt::format(
                                        "git tag {} (the last tag; `--from empty` starts "
                                        "from an empty database)",
                                        from)
                                  : fmt::format("git tag {}", from);
      if (files == 0) {
        r.steps.push_back(
            {"from " + from, "skipped", fmt::format("no migration file at {}", what), Since(tf)});
      } else {
        Options at_tag = on;
        at_tag.locations = *dirs;
        if (!run_migrate("", at_tag)) {
          r.status =
              std::move(r.status).Wrap(fmt::format("building the scratch database as of {}", what));
          r.elapsed_ms = Since(t0);
          return r;
        }
        r.steps.push_back(
            {"from " + from, "passed",
             fmt::format("the scratch database as of {}: {} migration file(s)", what, files),
             Since(tf)});
      }
    } else {
      Status e = target->error();
      r.status = std::move(e).WithHint(
          "pass a migration's version (strata info lists them), a release name of "
          "db/releases.toml, or a git tag (git tag --list)");
      return r;
    }
    InfoResult have = Info(on);
    for (const auto& row : have.migrations) {
      if (row.state == "applied" && !row.version.empty()) applied_before.insert(row.version);
    }
  }
  std::erase_if(*fixtures,
                [&](const scratch::Fixture& f) { return applied_before.count(f.version) > 0; });
  auto fail_fixture = [&](const scratch::Fixture& f, Status s) {
    r.steps.push_back({"fixture " + f.version, "failed", s.message(), 0});
    r.status = std::move(s);
    r.elapsed_ms = Since(t0);
  };
  for (const auto& f : *fixtures) {
    // Up to the migration before the fixture's.
    auto fv = migrate::Version::Parse(f.version);
    std::string prev;
    for (const auto& v : versions) {
      auto pv = migrate::Version::Parse(v);
      if (pv && fv && *pv < *fv) prev = v;
    }
    if (!prev.empty() && !run_migrate(prev, on)) {
      r.elapsed_ms = Since(t0);
      return r;
    }
    auto conn = ConnectTo(on.url, "strata test");
    if (!conn) {
      fail_fixture(f, conn.error());
      return r;
    }
    if (Status s = scratch::LoadBefore(**conn, f); !s.ok()) {
      fail_fixture(f, std::move(s));
      return r;
    }
    if (!run_migrate(f.version, on)) {
      r.elapsed_ms = Since(t0);
      return r;
    }
    if (Status s = scratch::RunExpect(**conn, f, r.steps, r.checks); !s.ok()) {
      r.status = std::move(s);
      r.elapsed_ms = Since(t0);
      return r;
    }
  }
  if (!run_migrate("", on)) {
    r.elapsed_ms = Since(t0);
    return r;
  }

  // Observed locks against the analyzer's predictions, and the trace.
  if (observe) {
    auto to = std::chrono::steady_clock::now();
    if (Status s = observer.Finish(options, major, r); !s.ok()) {
      r.steps.push_back({"observed locks", "failed", s.message(), Since(to)});
      if (r.status.ok()) r.status = std::move(s);
    } else {
      std::string msg = fmt::format(
          "{} statement(s) observed on {}, compared with {}", r.observed_statements, r.server,
          observer.linted_files() ? "a lint of the migration files" : "the migrate gate's lint");
      if (r.lock_findings.empty()) {
        msg += ": as the analyzer predicts";
      } else {
        msg += fmt::format(": {} disagreement(s) with the analyzer", r.lock_findings.size());
      }
      r.steps.push_back(
          {"observed locks", r.lock_findings.empty() ? "passed" : "warning", msg, Since(to)});
    }
    if (!request.trace_file.empty()) {
      lint::Trace t{r.server, r.trace};
      std::string err;
      if (!base::WriteFileAtomic(request.trace_file, lint::TraceToJson(t).dump(1) + "\n", &err) &&
          r.status.ok()) {
        r.status = Status(ErrorCode::kIo, fmt::format("{}: {}", request.trace_file, err))
                       .WithHint("check that the trace file's directory exists and is writable");
      }
    }
  } else if (!request.trace_file.empty()) {
    r.steps.push_back({"observed locks", "skipped", "observed locks are PostgreSQL's", 0});
  }

  // 2. verify: every check again, against the finished schema.
  auto tv = std::chrono::steady_clock::now();
  VerifyResult v = Verify(on, VerifyRequest{});
  std::string vmsg = fmt::format("{} passed, {} failed, {} skipped", v.passed, v.failed, v.skipped);
  if (!v.status.ok()) {
    for (const auto& vm : v.migrations) {
      for (const auto& c : vm.checks) {
        if (!c.ok && !c.skipped) {
          vmsg += fmt::format("; {}:{} {}: {}", c.file, c.line, c.phase, c.message);
        }
      }
    }
  }
  r.steps.push_back({"verify", v.status.ok() ? "passed" : "failed", vmsg, Since(tv)});
  if (!v.status.ok() && r.status.ok()) r.status = v.status;

  // 3. The committed schema file, when there is one.
  auto ts = std::chrono::steady_clock::now();
  if (!request.compare_schema || options.schema_file.empty()) {
    r.steps.push_back({"schema", "skipped", "no [schema] file in strata.toml", 0});
  } else if (!std::filesystem::exists(options.schema_file)) {
    r.steps.push_back(
        {"schema", "skipped",
         fmt::format("{} does not exist yet: `strata migrate` writes it", options.schema_file), 0});
  } else {
    auto inspect = schema::InspectOptionsFor(options);
    Status st = Status::Ok();
    auto expected = schema::LoadSchemaFile(options.schema_file, inspect);
    if (!expected) {
      st = expected.error();
    } else if (auto conn = ConnectTo(on.url, "strata test"); !conn) {
      st = conn.error();
    } else if (auto items = schema::DriftAgainst(**conn, *expected, inspect, nullptr); !items) {
      st = items.error();
    } else {
      r.schema_diff = std::move(*items);
      st = schema::DriftStatus(r.schema_diff, options.schema_file);
      if (!st.ok()) {
        st = std::move(st).WithHint(
            fmt::format("the migrations build a schema other than {}: run `strata schema dump "
                        "--out {}` on a migrated database and commit it, or fix the migration",
                        options.schema_file, options.schema_file));
      }
    }
    r.steps.push_back({"schema", st.ok() ? "passed" : "failed",
                       st.ok() ? "matches " + options.schema_file : st.message(), Since(ts)});
    if (!st.ok() && r.status.ok()) r.status = std::move(st);
  }
  // 4. pgTAP tests (after the schema comparison: the extension is an object of its own).
  std::error_code no_tests;
  if (!std::filesystem::is_directory(std::filesystem::path(options.project_dir) / "db" / "test",
                                     no_tests)) {
    // None: RunPgTap would say nothing either.
  } else if (auto conn = ConnectTo(on.url, "strata test"); !conn) {
    if (r.status.ok()) r.status = conn.error();
  } else if (Status s = scratch::RunPgTap(**conn, options, r.steps); !s.ok() && r.status.ok()) {
    r.status = std::move(s);
  }
  // Warm: this state is the template of the next run.
  if (warm && r.status.ok()) {
    if (Status s = (*scratch)->Promote(); !s.ok()) {
      r.steps.push_back({"template", "failed", s.message(), 0});
      r.status = std::move(s).Wrap("keeping the scratch database as the next run's template");
    }
  }
  r.elapsed_ms = Since(t0);
  return r;
}

DriftResult DriftScratch(const Options& options, const DriftRequest& request) {
  auto t0 = std::chrono::steady_clock::now();
  DriftResult r;
  // What the live database has applied: the newest applied version is the target.
  InfoResult info = Info(options);
  if (!info.status.ok()) {
    r.status = info.status;
    return r;
  }
  r.target = info.target;
  std::optional<migrate::Version> newest_v;
  std::string newest;
  for (const auto& m : info.migrations) {
    if (m.version.empty() || (m.state != "applied" && m.state != "out-of-order")) continue;
    auto v = migrate::Version::Parse(m.version);
    if (v && (!newest_v || *newest_v < *v)) {
      newest_v = v;
      newest = m.version;
    }
  }
  auto url = db::ParseUrl(options.url);
  if (!url) {
    r.status = url.error();
    return r;
  }
  auto scratch = scratch::Database::Create(request.scratch, url->dialect, false);
  if (!scratch) {
    r.status = scratch.error();
    return r;
  }
  r.against = "the applied migrations replayed on " + (*scratch)->description();
  Options on = OnScratch(options, **scratch);
  auto inspect = schema::InspectOptionsFor(options);
  if (!newest.empty()) {
    MigrateRequest mreq;
    mreq.target = newest;
    MigrateResult m = Migrate(on, mreq);
    if (!m.status.ok()) {
      r.status =
          std::move(m.status).Wrap("replaying the applied migrations on the scratch database");
      return r;
    }
  }
  auto sconn = ConnectTo(on.url, "strata drift");
  if (!sconn) {
    r.status = sconn.error();
    return r;
  }
  auto expected = schema::Inspect(**sconn, inspect);
  if (!expected) {
    r.status = expected.error();
    return r;
  }
  auto live = ConnectTo(options.url, "strata drift");
  if (!live) {
    r.status = live.error();
    return r;
  }
  auto items = schema::DriftAgainst(**live, *expected, inspect, &r.compared);
  if (!items) {
    r.status = items.error();
    return r;
  }
  r.items = std::move(*items);
  r.status = schema::DriftStatus(r.items, "the applied migrations");
  r.elapsed_ms = Since(t0);
  return r;
}

}  // namespace strata
