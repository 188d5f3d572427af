// seed plan / apply / status / diff: selection, policy, the per-package transaction and the
// ledger row.
#include "base/duration.h"
#include "base/host.h"
#include "migrate/version.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <set>

#include "seed/plan_internal.h"
#include "seed/seed.h"

namespace strata::seed {

// The ledger row type of an applied seed package (docs/formats/seed-manifest.md). Stored:
// never rename.
inline constexpr std::string_view kLedgerTypeSeed = "SEED";

namespace {

struct Prepared {
  session::Session ctx;
  Environment env;
  std::vector<Package> packages;
  std::vector<ledger::AppliedRow> ledger_rows;
  bool ledger_exists = false;
};

Status Refused(const std::vector<Violation>& v, std::string_view verb) {
  return Status(ErrorCode::kValidation,
                fmt::format("seed {} refused: {} violation(s){}", verb, v.size(),
                            verb == "apply" ? "; nothing was written" : ""))
      .WithHint(v.empty() ? std::string() : fmt::format("{}: {}", v.front().rule, v.front().hint));
}

// Loads the environment and packages, connects, (for apply) takes the lock, reads the ledger and
// plans every selected package into `pr` and `res`. `lock` refers to pr.ctx, so the caller
// declares `pr` before `lock` (the lock is released before the connection closes).
Status Prepare(const Options& options, const SeedRequest& request, SeedResult& res, Prepared& pr,
               session::RunLock* lock) {
  if (request.env.empty()) {
    return Status(ErrorCode::kUsage, "no environment given")
        .WithHint(
            "name the target environment: --env local|ci|dev|staging|production (or "
            "STRATA_ENV); the seed policy depends on it");
  }
  STRATA_ASSIGN_OR_RETURN(pr.env, ResolveEnvironment(options, request.env));
  res.env = pr.env.name;
  res.tier = std::string(TierName(pr.env.tier));
  STRATA_ASSIGN_OR_RETURN(auto settings, LoadSettings(options));
  STRATA_ASSIGN_OR_RETURN(auto all, DiscoverPackages(options, settings));
  // Selection.
  std::set<std::string> want_ids(request.packages.begin(), request.packages.end());
  std::set<SeedClass> want_classes;
  for (const auto& c : request.classes) {
    auto cls = ParseClass(c);
    if (!cls) {
      return Status(ErrorCode::kUsage, fmt::format("unknown seed class `{}`", c))
          .WithHint("classes are reference, catalog, policy, test-only");
    }
    want_classes.insert(*cls);
  }
  for (const auto& id : want_ids) {
    if (std::none_of(all.begin(), all.end(), [&](const Package& p) { return p.id == id; })) {
      std::string known;
      for (const auto& p : all) known += (known.empty() ? "" : ", ") + p.id;
      return Status(ErrorCode::kUsage, fmt::format("no seed package `{}`", id))
          .WithHint(known.empty() ? fmt::format("there are no packages under {}", settings.location)
                                  : fmt::format("known packages: {}", known));
    }
  }
  const bool explicit_selection = !want_ids.empty() || !want_classes.empty();
  for (auto& p : all) {
    if (!want_ids.empty() && !want_ids.count(p.id)) continue;
    if (!want_classes.empty() && !want_classes.count(p.cls)) continue;
    pr.packages.push_back(std::move(p));
  }
  STRATA_ASSIGN_OR_RETURN(pr.ctx, session::Open(options, lock ? "seed apply" : "seed",
                                                {.may_create = lock != nullptr}));
  res.target = pr.ctx.url.redacted;
  if (lock) STRATA_TRY(lock->Acquire(pr.ctx, options.lock_wait, {}));
  STRATA_ASSIGN_OR_RETURN(pr.ledger_exists, pr.ctx.ledger->Exists());
  if (pr.ledger_exists) {
    STRATA_ASSIGN_OR_RETURN(pr.ledger_rows, pr.ctx.ledger->ReadAll());
  }
  std::optional<migrate::Version> schema_version;
  for (const auto& r : pr.ledger_rows) {
    if (!r.success || !r.version || r.type == kLedgerTypeSeed) continue;
    if (r.type != "SQL" && r.type != "BASELINE" && r.type != "IMPORTED") continue;
    auto v = migrate::Version::Parse(*r.version);
    if (v && (!schema_version || *schema_version < *v)) schema_version = v;
  }
  for (const auto& p : pr.packages) {
    PackagePlan plan;
    plan.id = p.id;
    plan.rel_dir = p.rel_dir;
    plan.cls = p.cls;
    plan.mode = p.mode;
    plan.owner = p.owner;
    plan.checksum = p.checksum;
    for (const auto& r : pr.ledger_rows) {
      if (r.type == kLedgerTypeSeed && r.description == p.id && r.success) {
        plan.applied_checksum = r.checksum.value_or("");
        plan.applied_on = r.installed_on;
      }
    }
    auto policy = CheckPolicy(p, pr.env);
    if (!policy.empty() && !explicit_selection && !InScope(p, pr.env)) {
      plan.in_scope = false;
      plan.skipped_reason = fmt::format("{}: not applied to {} (tier {})", policy.front().rule,
                                        pr.env.name, TierName(pr.env.tier));
      res.packages.push_back(std::move(plan));
      continue;
    }
    plan.violations = std::move(policy);
    if (!p.min_schema_version.empty()) {
      auto need = migrate::Version::Parse(p.min_schema_version);
      if (!schema_version || (need && *schema_version < *need)) {
        Violation v;
        v.rule = RuleText(kRuleSchemaTooOld);
        v.package = p.id;
        v.span = {p.manifest_path, 1, 0};
        v.message = fmt::format(
            "package `{}` needs schema version {} or later; the database is at "
            "{}",
            p.id, p.min_schema_version,
            schema_version ? schema_version->text() : "no applied migration");
        v.hint = "run `strata migrate` first";
        plan.violations.push_back(std::move(v));
      }
    }
    bool tables_ok = true;
    for (const auto& t : p.tables) {
      STRATA_ASSIGN_OR_RETURN(bool exists, pr.ctx.conn->TableExists("", t.name));
      if (!exists && !plan.violations.empty()) {
        tables_ok = false;  // e.g. schema too old: the violation already says what to do
        break;
      }
    }
    if (tables_ok) {
      for (const auto& t : p.tables) STRATA_TRY(PlanTable(*pr.ctx.conn, p, t, plan));
    }
    res.violations.insert(res.violations.end(), plan.violations.begin(), plan.violations.end());
    res.packages.push_back(std::move(plan));
  }
  return Status::Ok();
}

std::string KeyWhere(const RowDiff& rd, int first, std::vector<db::Value>& params) {
  std::string w;
  for (size_t i = 0; i < rd.key_values.size(); ++i) {
    w += fmt::format("{}\"{}\" = ${}", i ? " AND " : "", rd.key_values[i].first,
                     first + static_cast<int>(i));
    params.emplace_back(rd.key_values[i].second);
  }
  return w;
}

Status ApplyRow(db::Connection& conn, const RowDiff& rd) {
  std::vector<db::Value> params;
  std::string sql;
  std::string table = "\"" + rd.table + "\"";
  switch (rd.action) {
    case RowAction::kInsert: {
      std::string cols, vals;
      for (size_t i = 0; i < rd.write.size(); ++i) {
        cols += fmt::format("{}\"{}\"", i ? ", " : "", rd.write[i].first);
        vals += fmt::format("{}${}", i ? ", " : "", i + 1);
        params.push_back(rd.write[i].second);
      }
      sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, cols, vals);
      break;
    }
    case RowAction::kDrift:
      if (!rd.restorable) return Status::Ok();
      [[fallthrough]];
    case RowAction::kUpdate:
    case RowAction::kDeprecate: {
      std::string sets;
      for (size_t i = 0; i < rd.write.size(); ++i) {
        sets += fmt::format("{}\"{}\" = ${}", i ? ", " : "", rd.write[i].first, i + 1);
        params.push_back(rd.write[i].second);
      }
      std::string where = KeyWhere(rd, static_cast<int>(params.size()) + 1, params);
      sql = fmt::format("UPDATE {} SET {} WHERE {}", table, sets, where);
      break;
    }
    case RowAction::kDelete: {
      std::string where = KeyWhere(rd, 1, params);
      sql = fmt::format("DELETE FROM {} WHERE {}", table, where);
      break;
    }
    default:
      return Status::Ok();
  }
  auto r = conn.Query(sql, params);
  if (!r) {
    return Status(r.error().code(), fmt::format("{} {} `{}` failed: {}", ActionName(rd.action),
                                                rd.table, rd.key, r.error().message()))
        .WithSpan(rd.span)
        .WithSqlState(r.error().sqlstate())
        .WithHint(
            "the package's transaction was rolled back; fix the row and rerun `strata seed "
            "apply`");
  }
  if (r->rows_affected == 0 && rd.action != RowAction::kInsert) {
    return Status(ErrorCode::kMigrationFailed,
                  fmt::format("{} {} `{}` matched no row (changed concurrently?)",
                              ActionName(rd.action), rd.table, rd.key))
        .WithSpan(rd.span)
        .WithHint("the package's transaction was rolled back; rerun `strata seed plan`");
  }
  return Status::Ok();
}

}  // namespace

SeedResult SeedPlanCmd(const Options& options, const SeedRequest& request) {
  SeedResult res;
  res.verb = "plan";
  Prepared pr;
  if (Status s = Prepare(options, request, res, pr, nullptr); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  if (!res.violations.empty()) res.status = Refused(res.violations, "plan");
  return res;
}

SeedResult SeedStatusCmd(const Options& options, const SeedRequest& request) {
  SeedResult res;
  res.verb = "status";
  Prepared pr;
  res.status = Prepare(options, request, res, pr, nullptr);
  return res;
}

SeedResult SeedDiffCmd(const Options& options, const SeedRequest& request) {
  SeedResult res;
  res.verb = "diff";
  Prepared pr;
  if (Status s = Prepare(options, request, res, pr, nullptr); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  int differing = 0, edited = 0, changes = 0;
  for (const auto& p : res.packages) {
    if (p.in_scope && (p.Changes() > 0 || p.drift > 0 || !p.violations.empty())) ++differing;
    if (!p.in_scope) continue;
    changes += p.Changes();
    for (const auto& rd : p.rows) edited += rd.restorable ? 1 : 0;
  }
  if (differing > 0) {
    // What fixes it, honestly: apply writes the package's changes; rows edited in the database
    // since they were applied come back only with --restore.
    std::string hint = "review the rows above";
    if (changes > 0) {
      hint += fmt::format("; `strata seed apply --env {}` writes the packages' changes", res.env);
    }
    if (edited > 0) {
      hint += fmt::format(
          "; {} row(s) were edited in the database after they were applied: `strata seed apply "
          "--env {} --restore` puts the packages' values back (recorded), or keep the edit by "
          "changing the package",
          edited, res.env);
    }
    res.status = Status(ErrorCode::kValidation,
                        fmt::format("{} package(s) differ from the database", differing))
                     .WithHint(hint);
  }
  return res;
}

SeedResult SeedApplyCmd(const Options& options, const SeedRequest& request) {
  SeedResult res;
  res.verb = "apply";
  Prepared pr;
  session::RunLock lock;
  if (Status s = Prepare(options, request, res, pr, &lock); !s.ok()) {
    res.status = std::move(s);
    return res;
  }
  // Every violation refuses the whole run before any write (seed 001 §20, invariant 7).
  if (!res.violations.empty()) {
    res.status = Refused(res.violations, "apply");
    return res;
  }
  if (!pr.ledger_exists) {
    res.status =
        Status(ErrorCode::kValidation,
               fmt::format("{} has no ledger ({})", res.target, options.ledger_table))
            .WithHint("run `strata migrate` first: seed packages are recorded in the ledger");
    return res;
  }
  db::Connection& conn = *pr.ctx.conn;
  // The run record (strata_run): written before the first package, finished with the outcome
  // and what each package did.
  std::unique_ptr<session::RunRecorder> recorder;
  auto finish = [&](const Status& status) {
    if (!recorder) return;
    nlohmann::json pkgs = nlohmann::json::array();
    for (const auto& p : res.packages) {
      if (!p.in_scope) continue;
      pkgs.push_back({{"package", p.id},
                      {"class", std::string(ClassName(p.cls))},
                      {"checksum", p.checksum},
                      {"applied", p.applied},
                      {"insert", p.inserts},
                      {"update", p.updates},
                      {"deprecate", p.deprecates},
                      {"delete", p.deletes},
                      {"unchanged", p.unchanged},
                      {"drift", p.drift},
                      {"restored", p.restored}});
    }
    nlohmann::json detail = {{"env", res.env}, {"tier", res.tier}, {"packages", pkgs}};
    if (Status w = recorder->Finish(status, detail.dump()); !w.ok()) {
      res.warnings.push_back("the run record could not be finished: " + w.ToString());
    }
  };
  std::string by = conn.DatabaseUser();
  if (by.empty()) by = base::OsUser();
  std::vector<PackagePlan*> todo;
  for (auto& plan : res.packages) {
    if (!plan.in_scope) continue;
    int restorable = 0;
    for (const auto& rd : plan.rows) restorable += rd.restorable ? 1 : 0;
    if (plan.Changes() == 0 && plan.applied_checksum == plan.checksum &&
        !(request.restore && restorable > 0)) {
      continue;  // idempotent
    }
    todo.push_back(&plan);
  }
  auto emit = [&](Event::Data data, const PackagePlan& plan, size_t i) {
    if (!request.sink) return;
    request.sink(
        Event(std::move(data), Event::Migration{plan.rel_dir, "", static_cast<int>(i),
                                                static_cast<int>(todo.size()), plan.Changes()}));
  };
  if (!todo.empty()) {
    auto rec = session::RunRecorder::Start(conn, options, "seed apply", res.target);
    if (!rec) {
      res.status = rec.error();
      return res;
    }
    recorder = std::move(*rec);
    res.run_id = recorder->run_id();
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    PackagePlan& plan = *todo[i];
    emit(Event::MigrationStarted{}, plan, i);
    auto start = base::MonotonicMillis();
    Status s = conn.Exec(conn.BeginSql());
    if (s.ok() && conn.dialect() == db::Dialect::kPostgres) {
      // Never queue behind a long transaction holding the table (seed 001 §15).
      s = conn.Exec(fmt::format("SET LOCAL lock_timeout = '{}ms'", options.lock_timeout.count()));
    }
    // Inserts and updates in manifest table order (parents first), then deletes in reverse
    // (children first), so foreign keys hold throughout.
    std::vector<const RowDiff*> order;
    for (const auto& rd : plan.rows) {
      if (rd.action != RowAction::kDelete) order.push_back(&rd);
    }
    for (auto it = plan.rows.rbegin(); it != plan.rows.rend(); ++it) {
      if (it->action == RowAction::kDelete) order.push_back(&*it);
    }
    int written = 0, restored = 0;
    std::string restored_keys;
    for (const RowDiff* rd : order) {
      if (!s.ok()) break;
      if (rd->action == RowAction::kUnchanged) continue;
      if (rd->action == RowAction::kDrift) {
        if (!request.restore || !rd->restorable) continue;
        ++restored;
        restored_keys +=
            fmt::format("{}{} {}", restored_keys.empty() ? "" : ", ", rd->table, rd->key);
      }
      s = ApplyRow(conn, *rd);
      ++written;
    }
    migrate::AppliedRow row;
    if (s.ok()) {
      row.description = plan.id;
      row.type = std::string(kLedgerTypeSeed);
      row.script = plan.rel_dir;
      row.checksum = plan.checksum;
      row.installed_by = by;
      row.installed_on = base::NowIso8601();
      row.execution_time_ms = base::MonotonicMillis() - start;
      row.success = true;
      row.statements_done = written;
      row.reason = fmt::format(
          "env {} (tier {}); {} {}: {} inserted, {} updated, {} deprecated, "
          "{} deleted, {} unchanged",
          res.env, res.tier, ClassName(plan.cls), ModeName(plan.mode), plan.inserts, plan.updates,
          plan.deprecates, plan.deletes, plan.unchanged);
      if (restored > 0) {
        *row.reason += fmt::format(
            "; --restore: {} row(s) edited in the database put back to the package's values "
            "({})",
            restored, restored_keys);
      }
      s = pr.ctx.ledger->Append(row);
    }
    if (s.ok()) s = conn.Exec("COMMIT");
    if (!s.ok()) {
      (void)conn.Exec("ROLLBACK");
      pr.ctx.ledger->Rewind();
      res.status = std::move(s).Wrap(fmt::format("package `{}` ({})", plan.id, plan.rel_dir));
      emit(Event::MigrationFailed{base::MonotonicMillis() - start, 0, res.status.message()}, plan,
           i);
      finish(res.status);
      return res;
    }
    plan.applied = true;
    plan.restored = restored;
    plan.elapsed_ms = base::MonotonicMillis() - start;
    emit(Event::MigrationDone{plan.elapsed_ms, 0}, plan, i);
    plan.applied_checksum = plan.checksum;
    plan.applied_on = row.installed_on;
  }
  finish(Status::Ok());
  return res;
}

}  // namespace strata::seed
