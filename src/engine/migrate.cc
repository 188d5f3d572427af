// `strata migrate`: apply pending versioned migrations in order, then new or changed
// repeatable ones, each recorded in the ledger under the migration lock.
#include "strata/commands.h"

#include "base/host.h"
#include "base/sha256.h"
#include "base/thread.h"
#include "db/connection.h"
#include "engine/callbacks.h"
#include "engine/change_hook.h"
#include "engine/checks.h"
#include "engine/executor.h"
#include "engine/lint_gate.h"
#include "engine/plan.h"
#include "ledger/ledger.h"
#include "ledger/ledger_cache.h"
#include "migrate/stat_cache.h"
#include "migrate/state.h"
#include "migrate/sumfile.h"
#include "session/run_store.h"
#include "session/session.h"
#include "verify/settings.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
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

// One `migrate` run, in the steps a reader names: read the files and the ledger side by side,
// resolve --target, check strata.sum, read the ledger (under the lock when there is something
// to apply), check it, prepare what runs, complete or screen zero-downtime changes, run the lint
// gate, then either show the dry run or apply and finish. Each step returns the status the run
// stops with; Fail records it (and ends the run record once one was started).
class MigrateRun {
 public:
  MigrateRun(const Options& options, const MigrateRequest& request)
      : options_(options),
        request_(request),
        anchors_(options.ledger_schema, /*highest_only=*/true) {}

  MigrateResult Run() {
    ReadFilesAndLedger();
    if (!files_.set) return Fail(files_.set.error());
    if (Status s = ResolveTarget(); !s.ok()) return Fail(std::move(s));
    if (!db_.ctx) return Fail(db_.ctx.error());
    res_.target = db_.ctx->url.redacted;
    if (Status s = CheckSumFile(); !s.ok()) return Fail(std::move(s));
    if (Status s = ReadLedger(); !s.ok()) return Fail(std::move(s));
    if (Status s = CheckLedger(); !s.ok()) return Fail(std::move(s));
    todo_ = CollectTodo(report_, target_, request_.resume);
    res_.pending = static_cast<int>(todo_.size());
    if (Status s = PrepareTodo(); !s.ok()) return Fail(std::move(s));
    if (Status s = CompleteChanges(); !s.ok()) return Fail(std::move(s));
    if (Status s = ScreenChangesAndLint(); !s.ok()) return Fail(std::move(s));
    if (request_.dry_run) {
      if (Status s = DryRun(); !s.ok()) return Fail(std::move(s));
      return std::move(res_);
    }
    if (Status s = Apply(); !s.ok()) return Fail(std::move(s));
    Finish();
    return std::move(res_);
  }

 private:
  // The run record's detail names the callbacks that ran (none: no detail, as before).
  std::string Detail() const {
    return res_.callbacks.empty() ? std::string() : engine::CallbacksDetail(res_.callbacks).dump();
  }

  MigrateResult Fail(Status s) {
    if (recorder_) (void)recorder_->Finish(s, Detail());
    res_.status = std::move(s);
    return std::move(res_);
  }

  migrate::MigrationSet& set() { return *files_.set; }
  session::Session& ctx() { return *db_.ctx; }

  // The up-to-date check has two sides that meet only in Join. The file side (list the files,
  // stat or read and hash them, check strata.sum) runs on a second thread; the database side
  // (connect, read the ledger without a lock, verify its chain) stays on this one: it is the
  // longer side, and mostly waits for the server. When there is something to apply the ledger
  // is read again under the lock.
  void ReadFilesAndLedger() {
    auto url = db::ParseUrl(options_.url);
    const bool ledger_cache =
        !request_.dry_run && url && ledger::LedgerCache::Wanted(options_, *url);
    base::Thread file_side([this, ledger_cache] {
      // An up-to-date run stats the files it has seen before instead of reading them, and takes
      // strata.sum's verdict from the cache when neither it nor any file changed since a run
      // checked it: it hashes nothing.
      const migrate::StatCache cache = migrate::StatCache::For(options_);
      migrate::StatCache::Seen seen;
      files_.set = migrate::Discover(options_, &cache, &seen);
      if (!files_.set) return;
      if (options_.require_sum) {
        files_.sum = migrate::CheckSums(options_, *files_.set, &cache, &seen);
      }
      cache.Commit(std::move(seen));
      // Without the ledger cache (whose loader checks its file's SHA-256 beside the connect),
      // the main thread hashes every ledger row: OpenSSL's one-time set-up (~1.5 ms) is paid
      // here, while it waits for the server, not in its first row's digest.
      if (!ledger_cache) base::PrepareSha256();
    });
    // On PostgreSQL the verified-ledger cache (ledger/ledger_cache.h: 1,000 rows, ~0.3 MB) is
    // loaded while the server starts a backend for this run and answers the fingerprint query
    // (sent without waiting for the load when the file exists: ReadIfExists's `loading`).
    const std::string cache_path =
        ledger_cache ? ledger::LedgerCache::FileFor(options_, *url) : std::string();
    std::optional<base::Thread> cache_loader;
    const bool cache_file = ledger_cache && access(cache_path.c_str(), F_OK) == 0;
    if (ledger_cache) {
      cache_loader.emplace(
          [this, &cache_path] { ledger_cache_ = ledger::LedgerCache::AtFile(cache_path); });
    }
    db_.ctx = request_.dry_run
                  ? session::Open(options_, "migrate --dry-run", {.missing_is_empty = true})
                  : session::Open(options_, "migrate", {.may_create = true});
    auto loaded = [&cache_loader] {
      if (cache_loader) cache_loader->Join();
    };
    // The highest anchor in strata_run is read in the same round trip as the ledger.
    if (db_.ctx && !request_.dry_run) {
      // A fresh connection, outside any transaction: one round trip when the ledger exists.
      // The chain is verified row by row as the rows arrive; or, on PostgreSQL, the rows come
      // from the verified-ledger cache when their tuple versions are the ones it recorded
      // (the cache is keyed by the URL the session opened).
      std::function<void()> loading;
      if (db_.ctx->url.redacted != (url ? url->redacted : std::string())) {
        loaded();
        ledger_cache_ = ledger::LedgerCache::For(options_, db_.ctx->url);
      } else if (cache_file) {
        loading = loaded;
      } else {
        loaded();
      }
      auto read = db_.ctx->ledger->ReadIfExists(&db_.chain_breaks, anchors_.also(), &ledger_cache_,
                                                loading);
      loaded();
      if (!read) {
        db_.error = read.error();
      } else if (read->has_value()) {
        db_.rows = std::move(**read);
      }
    }
    file_side.Join();
  }

  // --target: latest (everything, the default), current (nothing newer than the newest applied
  // version: resolved from the ledger by ResolveCurrent) or the version of a migration file.
  Status ResolveTarget() {
    target_current_ = request_.target == "current";
    if (request_.target.empty() || request_.target == "latest" || target_current_) {
      return Status::Ok();
    }
    target_ = migrate::Version::Parse(request_.target);
    if (!target_) {
      return Status(ErrorCode::kUsage,
                    fmt::format("--target '{}' is not a version", request_.target))
          .WithHint(
              "use the version part of a file name (e.g. --target 3 or 1.2), `latest` or "
              "`current`");
    }
    bool known = false;
    const migrate::Version* highest = nullptr;
    for (const auto& m : set().migrations) {
      if (m.kind != Kind::kVersioned) continue;
      if (m.version == *target_) known = true;
      if (!highest || *highest < m.version) highest = &m.version;
    }
    if (!known) {
      return Status(
                 ErrorCode::kUsage,
                 fmt::format("--target {}: no migration file has that version{}", request_.target,
                             highest ? fmt::format(" (the highest is {})", highest->text()) : ""))
          .WithHint("name an existing version, `latest` or `current`; nothing was run");
    }
    return Status::Ok();
  }

  // `current`: the newest version the ledger records as applied (nothing at all on an empty
  // ledger: a version below every other).
  void ResolveCurrent(const std::vector<migrate::AppliedRow>& rows) {
    if (!target_current_) return;
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
    target_ = newest ? newest : migrate::Version::Parse("0");
  }

  // Ledger problems the run would stop on. --resume accepts a failed non-transactional
  // migration that ran some statements (it continues it).
  Status LedgerIssues(const migrate::StateReport& report,
                      const std::vector<std::string>& chain_breaks) const {
    auto issues = engine::CollectIssues(report, chain_breaks, options_);
    if (request_.resume) {
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
  }

  // strata.sum was checked before anything is locked or created; its verdict is given after the
  // ledger has been read (read-only), so an edited applied file is reported as that (recorded
  // vs current checksum), not as a stale sum file.
  Status CheckSumFile() {
    if (files_.sum.ok()) return Status::Ok();
    auto rows = ctx().ledger->ReadAll();
    if (!rows) return rows.error();
    STRATA_TRY(LedgerIssues(migrate::Join(set(), *rows), ledger::Ledger::VerifyChain(*rows)));
    return std::move(files_.sum);
  }

  // Up to date is the common case of a deploy: the ledger was read first, and the lock is taken
  // (and anything created) only when there is something to apply. The verdict is re-read under
  // it. Then the rows a run or tag anchored in strata_run must still be there: a ledger that lost
  // its last rows (or was emptied) still verifies, and would run those migrations again.
  Status ReadLedger() {
    std::optional<migrate::StateReport> peeked;
    bool first_read = false;  // rows_ are the ones read with anchors_
    if (!request_.dry_run) {
      if (!db_.error.ok()) return std::move(db_.error);
      if (db_.rows) {
        rows_ = std::move(db_.rows);
        first_read = true;
        chain_breaks_ = std::move(db_.chain_breaks);
        ResolveCurrent(*rows_);
        peeked = migrate::Join(set(), *rows_);
        // An unfinished non-transactional row may be another run's live progress: only the
        // lock tells, so wait for it like for any other run and judge the row under it.
        bool unfinished =
            std::any_of(peeked->entries.begin(), peeked->entries.end(),
                        [&](const auto& e) { return engine::IsUnfinishedTail(e, *rows_); });
        if (unfinished || !CollectTodo(*peeked, target_, request_.resume).empty()) {
          rows_.reset();
          first_read = false;
          peeked.reset();
          chain_breaks_.clear();
        }
      }
      if (!rows_) {
        STRATA_TRY(lock_.Acquire(ctx(), options_.lock_wait, request_.sink));
        STRATA_TRY(session::EnsureLedger(ctx(), options_, false));
      }
    }
    if (!rows_) {
      auto read = ctx().ledger->ReadAll();
      if (!read) return read.error();
      rows_ = std::move(*read);
      chain_breaks_ = ledger::Ledger::VerifyChain(*rows_);
      ResolveCurrent(*rows_);
    }
    auto lost = session::AnchorBreaks(*ctx().conn, options_, *rows_, /*highest_only=*/true,
                                      first_read ? &anchors_ : nullptr);
    if (!lost) return lost.error();
    // Up to date: the rows read first (and verified) are the ones to keep for the next run.
    if (first_read && lost->empty() && chain_breaks_.empty()) ledger_cache_.Save(*rows_);
    chain_breaks_.insert(chain_breaks_.end(), lost->begin(), lost->end());
    report_ = peeked ? std::move(*peeked) : migrate::Join(set(), *rows_);
    for (const auto& e : report_.entries) {  // in version order
      if ((e.state == State::kApplied || e.state == State::kBaseline) && !e.version.empty()) {
        res_.version_before = e.version;
      }
    }
    return Status::Ok();
  }

  // The ledger against the files: issues stop the run; applied versions without a file here
  // are a warning.
  Status CheckLedger() {
    STRATA_TRY(LedgerIssues(report_, chain_breaks_));
    for (const auto& e : report_.entries) {
      if (e.state == State::kFuture) {
        res_.warnings.push_back(fmt::format(
            "version {} ({}) is applied but has no file here: this checkout is older than the "
            "database",
            e.version, e.script));
      }
    }
    return Status::Ok();
  }

  // Prepare everything before running anything: a bad directive, an undeclared placeholder or a
  // CONCURRENTLY statement in a transactional file stops the run with nothing applied.
  Status PrepareTodo() {
    prepared_.reserve(todo_.size());
    for (const auto& t : todo_) {
      // Only what runs is read; its checksum must still be the one the state was judged on.
      auto& m = set().migrations[static_cast<size_t>(t.entry->resolved - set().migrations.data())];
      STRATA_TRY(migrate::LoadText(m));
      auto p =
          engine::Prepare(*t.entry->resolved, ctx().conn->dialect(), options_,
                          request_.dry_run ? engine::PrepareFor::kCheck : engine::PrepareFor::kRun);
      if (!p) return p.error();
      prepared_.push_back(std::move(*p));
    }
    if (prepared_.empty()) return Status::Ok();
    auto settings = verify::LoadSettings(options_);
    if (!settings) return settings.error();
    for (const auto& p : prepared_) STRATA_TRY(verify::CheckRequired(p.intent, settings->intent));
    return Status::Ok();
  }

  // --complete-changes: the old application version is gone, so the windows earlier runs opened
  // are closed first (engine/change_hook.h); a plain file below may then touch them. A dry run
  // says which it would complete.
  Status CompleteChanges() {
    if (!request_.complete_changes) return Status::Ok();
    if (!request_.dry_run) {
      std::vector<std::string> files;
      for (const auto& m : set().migrations) files.push_back(m.path);
      return engine::CompleteOpenChanges(options_, ctx(), files, res_.changes_completed);
    }
    auto open = engine::OpenChangeWindows(options_, ctx());
    if (!open) return open.error();
    for (const auto& c : *open) {
      if (c.phase == "started" || c.phase == "completing") {
        res_.warnings.push_back(fmt::format(
            "--complete-changes would complete change {} (`strata change plan {}` shows its "
            "complete phase)",
            c.name, c.file));
      }
    }
    return Status::Ok();
  }

  // Zero-downtime changes (engine/change_hook.h): change files run their start phase and are not
  // linted as plain DDL; plain files touching a table with an open change are refused. The lint
  // gate reads the same pending set, live-aware on PostgreSQL; a refused run (and a refused
  // --dry-run) applies nothing.
  Status ScreenChangesAndLint() {
    auto is_change = engine::ScreenChanges(ctx(), prepared_, request_.allow_open_changes);
    if (!is_change) return is_change.error();
    is_change_ = std::move(*is_change);
    std::vector<engine::PreparedMigration> gated;
    std::vector<size_t> gated_at;
    for (size_t i = 0; i < prepared_.size(); ++i) {
      if (is_change_[i]) continue;
      gated.push_back(prepared_[i]);
      gated_at.push_back(i);
    }
    allowed_.assign(prepared_.size(), {});
    std::vector<std::vector<std::string>> gated_allowed;
    STRATA_TRY(engine::RunLintGate(ctx(), options_, gated, res_.lint, gated_allowed,
                                   request_.observe ? &res_.gate_lint : nullptr));
    for (size_t k = 0; k < gated_at.size() && k < gated_allowed.size(); ++k) {
      allowed_[gated_at[k]] = std::move(gated_allowed[k]);
    }
    return Status::Ok();
  }

  // --dry-run: the SQL a run would send, with the callbacks (they run only when something is
  // applied, as in a real run).
  Status DryRun() {
    const db::Dialect dialect = ctx().conn->dialect();
    auto cb = [&](std::string_view event) -> Result<std::string> {
      if (prepared_.empty()) return std::string();
      return engine::CallbackDryRun(set().callbacks, event, dialect, options_);
    };
    auto before = cb("beforeMigrate");
    auto before_each = cb("beforeEachMigrate");
    auto after_each = cb("afterEachMigrate");
    auto after = cb("afterMigrate");
    for (auto* r : {&before, &before_each, &after_each, &after}) {
      if (!*r) return r->error();
    }
    std::string body;
    if (before_each->empty() && after_each->empty()) {
      body = RenderDryRun(prepared_, dialect, options_, ctx().ledger->qualified());
    }
    for (size_t i = 0; body.empty() && i < prepared_.size(); ++i) {
      body += *before_each;
      body += RenderDryRun({prepared_[i]}, dialect, options_, ctx().ledger->qualified());
      body += *after_each;
    }
    res_.dry_run_sql = *before + body + *after;
    return Status::Ok();
  }

  // Applies the prepared migrations in order, each recorded in the ledger and the run record,
  // between the Flyway-style callbacks (engine/callbacks.h); after a failure afterMigrateError
  // runs (its own failure is a warning: the first error stands). Identifier contracts
  // (identifiers/record.h): the digests of the contracted tables the pending migrations touch,
  // before and after; a difference they do not explain fails the run.
  Status Apply() {
    if (prepared_.empty()) return Status::Ok();
    auto rec = session::RunRecorder::Start(*ctx().conn, options_, "migrate", res_.target);
    if (!rec) return rec.error();
    recorder_ = std::move(*rec);
    res_.run_id = recorder_->run_id();
    std::vector<std::string_view> texts;
    for (const auto& p : prepared_) texts.push_back(p.migration->text);
    auto g = identifiers::GuardSql(options_, texts, res_.run_id, "migrate");
    if (!g) return g.error();
    id_guard_ = std::move(*g);
    std::string installed_by = ctx().conn->DatabaseUser();
    if (installed_by.empty()) installed_by = base::OsUser();
    engine::Callbacks callbacks(ctx(), options_, set().callbacks, res_.callbacks);
    auto fail_run = [&](Status s) {
      if (callbacks.Has("afterMigrateError") && ctx().conn->Alive()) {
        if (ctx().conn->InTransaction()) (void)ctx().conn->Exec("ROLLBACK");
        if (Status e = callbacks.Run("afterMigrateError"); !e.ok()) {
          res_.warnings.push_back("the afterMigrateError callback failed too: " + e.ToString());
        }
      }
      return s;
    };
    if (Status s = callbacks.Run("beforeMigrate"); !s.ok()) return fail_run(std::move(s));
    for (size_t i = 0; i < prepared_.size(); ++i) {
      if (Status s = callbacks.Run("beforeEachMigrate", prepared_[i].migration->script); !s.ok()) {
        return fail_run(std::move(s));
      }
      if (Status s = ApplyOne(i, installed_by); !s.ok()) return fail_run(std::move(s));
      if (Status s = callbacks.Run("afterEachMigrate", prepared_[i].migration->script); !s.ok()) {
        return fail_run(std::move(s));
      }
    }
    if (Status s = callbacks.Run("afterMigrate"); !s.ok()) return fail_run(std::move(s));
    if (id_guard_) STRATA_TRY(id_guard_->End());
    return Status::Ok();
  }

  // One prepared migration: a change file's start phase, then the executor. A transactional
  // migration's evidence row commits with it; a failed or non-transactional one is recorded
  // after its transaction ended.
  Status ApplyOne(size_t i, const std::string& installed_by) {
    engine::ExecuteRequest er;
    er.prepared = &prepared_[i];
    er.type = std::string(todo_[i].entry->kind == Kind::kVersioned ? migrate::kTypeSql
                                                                   : migrate::kTypeRepeatable);
    er.installed_by = installed_by;
    er.resume_from = todo_[i].resume_from;
    er.in_flight = request_.in_flight;
    er.note = engine::AllowedNote(allowed_[i]);
    er.index = static_cast<int>(i);
    er.count = static_cast<int>(prepared_.size());
    er.sink = &request_.sink;
    er.observe = request_.observe;
    AppliedMigration applied;
    applied.lint_allowed = allowed_[i];
    bool recorded_in_tx = false;
    er.before_commit = [&](const AppliedMigration& done) {
      Status w = recorder_->Migration(done, Status::Ok());
      if (w.ok()) recorded_in_tx = true;
      return w.ok() ? w : std::move(w).Wrap("writing the run record (evidence) failed");
    };
    // Pending change files that follow one another start in one window (docs/change.md).
    std::vector<std::string> window;
    for (size_t k = i + 1; is_change_[i] && k < prepared_.size() && is_change_[k]; ++k) {
      window.push_back(prepared_[k].migration->path);
    }
    Status s = is_change_[i] ? engine::StartChange(options_, prepared_[i], window) : Status::Ok();
    if (s.ok()) s = engine::Execute(ctx(), options_, er, applied);
    if (!s.ok() || !recorded_in_tx) {
      if (Status w = recorder_->Migration(applied, s); !w.ok()) {
        res_.warnings.push_back("the run record could not be written: " + w.ToString());
      }
    }
    if (!s.ok()) return s;
    res_.applied.push_back(std::move(applied));
    return Status::Ok();
  }

  // The run record's end, and [schema] file: the schema after this run, beside the migrations
  // for review (docs/schema.md). Failures here are warnings: everything was applied.
  void Finish() {
    if (recorder_) {
      if (Status w = recorder_->Finish(Status::Ok(), Detail()); !w.ok()) {
        res_.warnings.push_back("the run record could not be finished: " + w.ToString());
      }
    }
    if (Status w = schema::WriteSchemaFile(*ctx().conn, options_, !res_.applied.empty()); !w.ok()) {
      res_.warnings.push_back("the schema file could not be written: " + w.ToString());
    }
  }

  const Options& options_;
  const MigrateRequest& request_;
  MigrateResult res_;
  std::unique_ptr<session::RunRecorder> recorder_;  // the run record (strata_run)
  struct {
    Result<migrate::MigrationSet> set{Status(ErrorCode::kInternal, "the file side did not run")};
    Status sum = Status::Ok();  // strata.sum's verdict, given after the ledger has been read
  } files_;
  struct {
    Result<session::Session> ctx{Status(ErrorCode::kInternal, "not connected")};
    Status error = Status::Ok();
    std::optional<std::vector<migrate::AppliedRow>> rows;
    std::vector<std::string> chain_breaks;  // of rows
  } db_;
  session::AnchorRead anchors_;       // the highest anchor in strata_run, read with the ledger
  ledger::LedgerCache ledger_cache_;  // the verified ledger of the last run (PostgreSQL)
  std::optional<migrate::Version> target_;
  bool target_current_ = false;
  session::RunLock lock_;
  std::optional<std::vector<migrate::AppliedRow>> rows_;
  std::vector<std::string> chain_breaks_;  // of rows_
  migrate::StateReport report_;
  std::vector<Todo> todo_;
  std::vector<engine::PreparedMigration> prepared_;
  std::vector<bool> is_change_;
  std::vector<std::vector<std::string>> allowed_;  // accepted suppressions, per prepared_
  std::unique_ptr<identifiers::Guard> id_guard_;
};

}  // namespace

MigrateResult Migrate(const Options& options, const MigrateRequest& request) {
  return MigrateRun(options, request).Run();
}

}  // namespace strata
