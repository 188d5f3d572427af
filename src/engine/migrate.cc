// `strata migrate`: apply pending versioned migrations in order, then new or changed
// repeatable ones, each recorded in the ledger under the migration lock.
#include "strata/commands.h"

#include "base/host.h"
#include "base/thread.h"
#include "engine/callbacks.h"
#include "engine/change_hook.h"
#include "engine/checks.h"
#include "engine/executor.h"
#include "engine/lint_gate.h"
#include "engine/plan.h"
#include "ledger/ledger.h"
#include "migrate/stat_cache.h"
#include "migrate/state.h"
#include "migrate/sumfile.h"
#include "session/run_store.h"
#include "session/session.h"
#include "verify/settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "identifiers/record.h"
#include "schema/schema.h"

namespace strata {

namespace {

using migrate::Kind;
using migrate::State;

std::string RenderDryRun(const std::vector<engine::PreparedMigration>& prepared,
                         db::Dialect dialect, const Options& options, const std::string& table) {
  std::string out;
  for (const auto& p : prepared) {
    const auto& m = *p.migration;
    out += fmt::format("-- {} ({}{})\n", m.script,
                       m.kind == Kind::kVersioned ? "version " + m.version.text() : "repeatable",
                       p.settings.transactional ? "" : ", transaction off");
    if (engine::IsChangeMigration(p)) {  // its start phase, not its end-state statements
      out += engine::ChangeDryRun(options, p);
      out += fmt::format("-- ledger: INSERT INTO {} ... ('{}', checksum {})\n\n", table, m.script,
                         m.checksum.substr(0, 12));
      continue;
    }
    bool tx = p.settings.transactional;
    if (tx)
      out += fmt::format("{};\n", dialect == db::Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    for (const auto& s : engine::SessionSettings(p, dialect, options, tx)) out += s + ";\n";
    for (const auto& s : p.statements) {
      out += s.display_sql + ";\n";
      if (s.copy_in) {
        out += s.copy_data;
        if (!s.copy_data.empty() && s.copy_data.back() != '\n') out += "\n";
        out += "\\.\n";
      }
    }
    out += fmt::format("-- ledger: INSERT INTO {} ... ('{}', checksum {})\n", table, m.script,
                       m.checksum.substr(0, 12));
    if (tx) out += "COMMIT;\n";
    out += "\n";
  }
  return out;
}

// What to run, in order: versioned (pending, allowed out-of-order, resumed), then repeatable.
struct Todo {
  const migrate::Entry* entry;
  const migrate::AppliedRow* resume_from;
};
std::vector<Todo> CollectTodo(const migrate::StateReport& report,
                              const std::optional<migrate::Version>& target, bool resume) {
  std::vector<Todo> todo;
  for (const auto& e : report.entries) {
    if (!e.resolved || e.kind != Kind::kVersioned) continue;
    if (target && *target < e.resolved->version) continue;
    if (e.state == State::kPending || e.state == State::kOutOfOrder) {
      todo.push_back({&e, nullptr});
    } else if (e.state == State::kFailed && resume) {
      todo.push_back({&e, e.applied});
    }
  }
  for (const auto& e : report.entries) {
    if (!e.resolved || e.kind != Kind::kRepeatable) continue;
    if (e.state == State::kPending || e.state == State::kOutdated) {
      todo.push_back({&e, nullptr});
    } else if (e.state == State::kFailed && resume) {
      todo.push_back({&e, e.applied});
    }
  }
  return todo;
}

}  // namespace

MigrateResult Migrate(const Options& options, const MigrateRequest& request) {
  MigrateResult res;
  std::unique_ptr<session::RunRecorder> recorder;  // the run record (strata_run)
  // The run record's detail names the callbacks that ran (none: no detail, as before).
  auto detail = [&]() -> std::string {
    return res.callbacks.empty() ? std::string() : engine::CallbacksDetail(res.callbacks).dump();
  };
  auto fail = [&](Status s) {
    if (recorder) (void)recorder->Finish(s, detail());
    res.status = std::move(s);
    return std::move(res);
  };
  // The up-to-date check has two sides that meet only in Join. The file side (list the files,
  // stat or read and hash them, check strata.sum) runs on a second thread; the database side
  // (connect, read the ledger without a lock, verify its chain) stays on this one: it is the
  // longer side, and mostly waits for the server. When there is something to apply the ledger
  // is read again under the lock.
  struct FileSide {
    Result<migrate::MigrationSet> set;
    Status sum;  // strata.sum's verdict, given after the ledger has been read
  };
  FileSide files{Status(ErrorCode::kInternal, "the file side did not run"), Status::Ok()};
  base::Thread file_side([&options, &files] {
    // An up-to-date run stats the files it has seen before instead of reading them.
    const migrate::StatCache cache = migrate::StatCache::For(options);
    files.set = migrate::Discover(options, &cache);
    if (files.set && options.require_sum) files.sum = migrate::CheckSums(options, *files.set);
  });
  struct DbSide {
    Result<session::Session> ctx;
    Status error;
    std::optional<std::vector<migrate::AppliedRow>> rows;
    std::vector<std::string> chain_breaks;  // of rows
  };
  DbSide db{request.dry_run
                ? session::Open(options, "migrate --dry-run", {.missing_is_empty = true})
                : session::Open(options, "migrate", {.may_create = true})};
  // The highest anchor in strata_run, read in the same round trip as the ledger.
  session::AnchorRead anchors(options.ledger_schema, /*highest_only=*/true);
  if (db.ctx && !request.dry_run) {
    // A fresh connection, outside any transaction: one round trip when the ledger exists.
    // The chain is verified row by row as the rows arrive.
    auto read = db.ctx->ledger->ReadIfExists(&db.chain_breaks, anchors.also());
    if (!read) {
      db.error = read.error();
    } else if (read->has_value()) {
      db.rows = std::move(**read);
    }
  }
  file_side.Join();
  auto& set = files.set;
  if (!set) return fail(set.error());
  // strata.sum was checked before anything is locked or created; its verdict is given after
  // the ledger has been read, so an edited applied file is reported as that (recorded vs
  // current checksum), not as a stale sum file.
  Status sum = std::move(files.sum);
  // --target: latest (everything, the default), current (nothing newer than the newest
  // applied version: resolved from the ledger below) or the version of a migration file.
  std::optional<migrate::Version> target;
  bool target_current = request.target == "current";
  if (!request.target.empty() && request.target != "latest" && !target_current) {
    target = migrate::Version::Parse(request.target);
    if (!target) {
      return fail(
          Status(ErrorCode::kUsage, fmt::format("--target '{}' is not a version", request.target))
              .WithHint("use the version part of a file name (e.g. --target 3 or 1.2), `latest` "
                        "or `current`"));
    }
    bool known = false;
    const migrate::Version* highest = nullptr;
    for (const auto& m : set->migrations) {
      if (m.kind != Kind::kVersioned) continue;
      if (m.version == *target) known = true;
      if (!highest || *highest < m.version) highest = &m.version;
    }
    if (!known) {
      return fail(
          Status(ErrorCode::kUsage,
                 fmt::format("--target {}: no migration file has that version{}", request.target,
                             highest ? fmt::format(" (the highest is {})", highest->text()) : ""))
              .WithHint("name an existing version, `latest` or `current`; nothing was "
                        "run"));
    }
  }
  // `current`: the newest version the ledger records as applied (nothing at all on an empty
  // ledger: a version below every other).
  auto resolve_current = [&](const std::vector<migrate::AppliedRow>& rows) {
    if (!target_current) return;
    std::optional<migrate::Version> newest;
    for (const auto& r : rows) {
      if (!r.success || !r.version) continue;
      if (r.type != migrate::kTypeSql && r.type != migrate::kTypeBaseline &&
          r.type != migrate::kTypeImported) {
        continue;
      }
      auto v = migrate::Version::Parse(*r.version);
      if (v && (!newest || *newest < *v)) newest = v;
    }
    target = newest ? newest : migrate::Version::Parse("0");
  };
  auto& ctx = db.ctx;
  if (!ctx) return fail(ctx.error());
  res.target = ctx->url.redacted;
  // Ledger problems the run would stop on. --resume accepts a failed non-transactional
  // migration that ran some statements (it continues it).
  auto ledger_issues = [&](const migrate::StateReport& report,
                           const std::vector<std::string>& chain_breaks) {
    auto issues = engine::CollectIssues(report, chain_breaks, options);
    if (request.resume) {
      std::erase_if(issues, [&](const ValidateIssue& i) {
        if (i.kind != "failed") return false;
        for (const auto& e : report.entries) {
          // Every non-transactional row carries a prefix hash: it can be continued.
          if (e.script == i.script && e.resolved && e.applied &&
              (e.applied->statements_done > 0 || e.applied->prefix_hash)) {
            return true;
          }
        }
        return false;
      });
    }
    return engine::IssuesToStatus(issues);
  };
  if (!sum.ok()) {
    // Read-only: nothing is locked or created for a run that is refused.
    auto rows = ctx->ledger->ReadAll();
    if (!rows) return fail(rows.error());
    if (Status s = ledger_issues(migrate::Join(*set, *rows), ledger::Ledger::VerifyChain(*rows));
        !s.ok()) {
      return fail(std::move(s));
    }
    return fail(std::move(sum));
  }
  session::RunLock lock;
  std::optional<std::vector<migrate::AppliedRow>> rows;
  std::optional<migrate::StateReport> peeked;
  std::vector<std::string> chain_breaks;  // of rows
  bool first_read = false;                // rows are the ones read with `anchors`
  if (!request.dry_run) {
    // Up to date is the common case of a deploy: the ledger was read first, and the lock is
    // taken (and anything created) only when there is something to apply. The verdict is
    // re-read under it.
    if (!db.error.ok()) return fail(std::move(db.error));
    if (db.rows) {
      rows = std::move(db.rows);
      first_read = true;
      chain_breaks = std::move(db.chain_breaks);
      resolve_current(*rows);
      peeked = migrate::Join(*set, *rows);
      // An unfinished non-transactional row may be another run's live progress: only the
      // lock tells, so wait for it like for any other run and judge the row under it.
      bool unfinished =
          std::any_of(peeked->entries.begin(), peeked->entries.end(),
                      [&](const auto& e) { return engine::IsUnfinishedTail(e, *rows); });
      if (unfinished || !CollectTodo(*peeked, target, request.resume).empty()) {
        rows.reset();
        first_read = false;
        peeked.reset();
        chain_breaks.clear();
      }
    }
    if (!rows) {
      if (Status s = lock.Acquire(*ctx, options.lock_wait, request.sink); !s.ok()) {
        return fail(std::move(s));
      }
      if (Status s = session::EnsureLedger(*ctx, options, false); !s.ok()) {
        return fail(std::move(s));
      }
    }
  }
  if (!rows) {
    auto read = ctx->ledger->ReadAll();
    if (!read) return fail(read.error());
    rows = std::move(*read);
    chain_breaks = ledger::Ledger::VerifyChain(*rows);
    resolve_current(*rows);
  }
  // Rows a run or tag anchored in strata_run must still be there: a ledger that lost its last
  // rows (or was emptied) still verifies, and would run those migrations again.
  {
    auto lost = session::AnchorBreaks(*ctx->conn, options, *rows, /*highest_only=*/true,
                                      first_read ? &anchors : nullptr);
    if (!lost) return fail(lost.error());
    chain_breaks.insert(chain_breaks.end(), lost->begin(), lost->end());
  }
  migrate::StateReport report = peeked ? std::move(*peeked) : migrate::Join(*set, *rows);
  for (const auto& e : report.entries) {  // in version order
    if ((e.state == State::kApplied || e.state == State::kBaseline) && !e.version.empty()) {
      res.version_before = e.version;
    }
  }

  if (Status s = ledger_issues(report, chain_breaks); !s.ok()) return fail(std::move(s));
  for (const auto& e : report.entries) {
    if (e.state == State::kFuture) {
      res.warnings.push_back(fmt::format(
          "version {} ({}) is applied but has no file here: this checkout is older than the "
          "database",
          e.version, e.script));
    }
  }

  std::vector<Todo> todo = CollectTodo(report, target, request.resume);
  res.pending = static_cast<int>(todo.size());

  // Prepare everything before running anything: a bad directive, an undeclared placeholder or
  // a CONCURRENTLY statement in a transactional file stops the run with nothing applied.
  std::vector<engine::PreparedMigration> prepared;
  prepared.reserve(todo.size());
  for (const auto& t : todo) {
    // Only what runs is read; its checksum must still be the one the state was judged on.
    auto& m = set->migrations[static_cast<size_t>(t.entry->resolved - set->migrations.data())];
    if (Status s = migrate::LoadText(m); !s.ok()) return fail(std::move(s));
    auto p =
        engine::Prepare(*t.entry->resolved, ctx->conn->dialect(), options,
                        request.dry_run ? engine::PrepareFor::kCheck : engine::PrepareFor::kRun);
    if (!p) return fail(p.error());
    prepared.push_back(std::move(*p));
  }
  if (!prepared.empty()) {
    auto settings = verify::LoadSettings(options);
    if (!settings) return fail(settings.error());
    for (const auto& p : prepared) {
      if (Status s = verify::CheckRequired(p.intent, settings->intent); !s.ok()) {
        return fail(std::move(s));
      }
    }
  }
  // --complete-changes: the old application version is gone, so the windows earlier runs
  // opened are closed first (engine/change_hook.h); a plain file below may then touch them.
  if (request.complete_changes && !request.dry_run) {
    std::vector<std::string> files;
    for (const auto& m : set->migrations) files.push_back(m.path);
    if (Status s = engine::CompleteOpenChanges(options, *ctx, files, res.changes_completed);
        !s.ok()) {
      return fail(std::move(s));
    }
  } else if (request.complete_changes) {
    auto open = engine::OpenChangeWindows(options, *ctx);
    if (!open) return fail(open.error());
    for (const auto& c : *open) {
      if (c.phase == "started" || c.phase == "completing") {
        res.warnings.push_back(fmt::format(
            "--complete-changes would complete change {} (`strata change plan {}` shows its "
            "complete phase)",
            c.name, c.file));
      }
    }
  }
  // Zero-downtime changes (engine/change_hook.h): change files run their start phase and are
  // not linted as plain DDL; plain files touching a table with an open change are refused.
  auto is_change = engine::ScreenChanges(*ctx, prepared, request.allow_open_changes);
  if (!is_change) return fail(is_change.error());
  // The lint gate reads the same pending set, live-aware on PostgreSQL; a refused run (and a
  // refused --dry-run) applies nothing.
  std::vector<engine::PreparedMigration> gated;
  std::vector<size_t> gated_at;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if ((*is_change)[i]) continue;
    gated.push_back(prepared[i]);
    gated_at.push_back(i);
  }
  std::vector<std::vector<std::string>> allowed(prepared.size()), gated_allowed;
  if (Status s = engine::RunLintGate(*ctx, options, gated, res.lint, gated_allowed); !s.ok()) {
    return fail(std::move(s));
  }
  for (size_t k = 0; k < gated_at.size() && k < gated_allowed.size(); ++k) {
    allowed[gated_at[k]] = std::move(gated_allowed[k]);
  }
  if (request.dry_run) {
    // Callbacks run only when something is applied, as in a real run.
    auto cb = [&](std::string_view event) -> Result<std::string> {
      if (prepared.empty()) return std::string();
      return engine::CallbackDryRun(set->callbacks, event, ctx->conn->dialect(), options);
    };
    auto before = cb("beforeMigrate");
    auto before_each = cb("beforeEachMigrate");
    auto after_each = cb("afterEachMigrate");
    auto after = cb("afterMigrate");
    for (auto* r : {&before, &before_each, &after_each, &after}) {
      if (!*r) return fail(r->error());
    }
    std::string body;
    if (before_each->empty() && after_each->empty()) {
      body = RenderDryRun(prepared, ctx->conn->dialect(), options, ctx->ledger->qualified());
    }
    for (size_t i = 0; body.empty() && i < prepared.size(); ++i) {
      body += *before_each;
      body += RenderDryRun({prepared[i]}, ctx->conn->dialect(), options, ctx->ledger->qualified());
      body += *after_each;
    }
    res.dry_run_sql = *before + body + *after;
    return res;
  }
  if (!prepared.empty()) {
    auto rec = session::RunRecorder::Start(*ctx->conn, options, "migrate", res.target);
    if (!rec) return fail(rec.error());
    recorder = std::move(*rec);
    res.run_id = recorder->run_id();
  }
  // Identifier contracts (identifiers/record.h): the digests of the contracted tables the
  // pending migrations touch, before and after; a difference they do not explain fails the run.
  std::unique_ptr<identifiers::Guard> id_guard;
  if (!prepared.empty()) {
    std::vector<std::string_view> texts;
    for (const auto& p : prepared) texts.push_back(p.migration->text);
    auto g = identifiers::GuardSql(options, texts, res.run_id, "migrate");
    if (!g) return fail(g.error());
    id_guard = std::move(*g);
  }
  std::string installed_by = ctx->conn->DatabaseUser();
  if (installed_by.empty()) installed_by = base::OsUser();
  // Flyway-style callbacks (engine/callbacks.h) around the run and each migration; after a
  // failure afterMigrateError runs (its own failure is a warning: the first error stands).
  engine::Callbacks callbacks(*ctx, options, set->callbacks, res.callbacks);
  auto fail_run = [&](Status s) {
    if (callbacks.Has("afterMigrateError") && ctx->conn->Alive()) {
      if (ctx->conn->InTransaction()) (void)ctx->conn->Exec("ROLLBACK");
      if (Status e = callbacks.Run("afterMigrateError"); !e.ok()) {
        res.warnings.push_back("the afterMigrateError callback failed too: " + e.ToString());
      }
    }
    return fail(std::move(s));
  };
  if (!prepared.empty()) {
    if (Status s = callbacks.Run("beforeMigrate"); !s.ok()) return fail_run(std::move(s));
  }
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (Status s = callbacks.Run("beforeEachMigrate", prepared[i].migration->script); !s.ok()) {
      return fail_run(std::move(s));
    }
    engine::ExecuteRequest er;
    er.prepared = &prepared[i];
    er.type = std::string(todo[i].entry->kind == Kind::kVersioned ? migrate::kTypeSql
                                                                  : migrate::kTypeRepeatable);
    er.installed_by = installed_by;
    er.resume_from = todo[i].resume_from;
    er.in_flight = request.in_flight;
    er.note = engine::AllowedNote(allowed[i]);
    er.index = static_cast<int>(i);
    er.count = static_cast<int>(prepared.size());
    er.sink = &request.sink;
    er.observe = request.observe;
    AppliedMigration applied;
    applied.lint_allowed = allowed[i];
    // A transactional migration's evidence row commits with it; a failed or non-transactional
    // one is recorded after its transaction ended.
    bool recorded_in_tx = false;
    er.before_commit = [&](const AppliedMigration& done) {
      Status w = recorder->Migration(done, Status::Ok());
      if (w.ok()) recorded_in_tx = true;
      return w.ok() ? w : std::move(w).Wrap("writing the run record (evidence) failed");
    };
    Status s = (*is_change)[i] ? engine::StartChange(options, prepared[i]) : Status::Ok();
    if (s.ok()) s = engine::Execute(*ctx, options, er, applied);
    if (!s.ok() || !recorded_in_tx) {
      if (Status w = recorder->Migration(applied, s); !w.ok()) {
        res.warnings.push_back("the run record could not be written: " + w.ToString());
      }
    }
    if (!s.ok()) return fail_run(std::move(s));
    res.applied.push_back(std::move(applied));
    if (Status s2 = callbacks.Run("afterEachMigrate", prepared[i].migration->script); !s2.ok()) {
      return fail_run(std::move(s2));
    }
  }
  if (!prepared.empty()) {
    if (Status s = callbacks.Run("afterMigrate"); !s.ok()) return fail_run(std::move(s));
  }
  if (id_guard) {
    if (Status v = id_guard->End(); !v.ok()) return fail(std::move(v));
  }
  if (recorder) {
    if (Status w = recorder->Finish(Status::Ok(), detail()); !w.ok()) {
      res.warnings.push_back("the run record could not be finished: " + w.ToString());
    }
  }
  // [schema] file: the schema after this run, beside the migrations for review (docs/schema.md).
  if (Status w = schema::WriteSchemaFile(*ctx->conn, options, !res.applied.empty()); !w.ok()) {
    res.warnings.push_back("the schema file could not be written: " + w.ToString());
  }
  return res;
}

}  // namespace strata
