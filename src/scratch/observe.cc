#include "scratch/observe.h"

#include "base/sha256.h"
#include "lint/linter.h"
#include "lint/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

namespace strata::scratch {
namespace {

// pg_locks.mode ("ShareRowExclusiveLock") as lint names it ("SHARE ROW EXCLUSIVE").
std::string ModeName(std::string_view pg) {
  if (pg.size() > 4 && pg.substr(pg.size() - 4) == "Lock") pg.remove_suffix(4);
  std::string out;
  for (char c : pg) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += ' ';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// Tables, partitioned tables and materialized views: what the analyzer models.
bool IsTable(char relkind) { return relkind == 'r' || relkind == 'p' || relkind == 'm'; }

using analysis::LockMode;

struct RelLocks {
  std::set<LockMode> acquired;
  std::set<LockMode> held_before;
  LockMode MaxAcquired() const { return acquired.empty() ? LockMode::kNone : *acquired.rbegin(); }
};

std::string Describe(const RelLocks& l) {
  if (!l.acquired.empty()) return std::string(analysis::LockModeName(l.MaxAcquired()));
  if (l.held_before.empty()) return "none";
  return fmt::format("none new (holds {} from an earlier statement)",
                     analysis::LockModeName(*l.held_before.rbegin()));
}

}  // namespace

Status LockObserver::Snapshot(db::Connection& conn) {
  if (conn.dialect() != db::Dialect::kPostgres) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(
      db::QueryResult q,
      conn.Query("SELECT c.oid, n.nspname || '.' || c.relname, c.relkind, c.relfilenode FROM "
                 "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN "
                 "('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', "
                 "'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'"));
  for (const auto& row : q.rows) {
    auto oid = static_cast<std::uint32_t>(std::strtoul(row[0]->c_str(), nullptr, 10));
    rels_[oid] = {*row[1], (*row[2])[0],
                  static_cast<std::uint32_t>(std::strtoul(row[3]->c_str(), nullptr, 10))};
  }
  return Status::Ok();
}

void LockObserver::OnEvent(const Event& e) {
  if (e.Is<Event::MigrationStarted>() && e.migration) {
    scripts_.push_back({e.migration->script, e.migration->statements, {}});
    return;
  }
  const auto* observed = e.As<Event::StatementObserved>();
  if (!observed || scripts_.empty()) return;
  if (observed->index < 0) {
    prev_.clear();
    prev_at_ = observed->at_ms;
    return;
  }
  ObservedStatement st;
  st.index = observed->index;
  st.elapsed_ms = std::max(0.0, observed->at_ms - prev_at_);
  prev_at_ = observed->at_ms;
  std::set<std::pair<std::uint32_t, std::string>> before;
  for (const auto& l : prev_) before.insert({l.oid, l.mode});
  std::vector<std::string> created;
  std::map<std::string, std::string> renamed;
  for (const auto& l : observed->locks) {
    Rel known;
    if (auto it = rels_.find(l.oid); it != rels_.end()) known = it->second;
    std::string name = l.relation.empty() ? known.name : l.relation;
    char kind = l.relkind ? l.relkind : known.relkind;
    if (name.empty() || !IsTable(kind)) continue;
    st.locks.push_back({name, ModeName(l.mode), !before.count({l.oid, l.mode})});
    if (l.relation.empty()) continue;  // dropped by now
    if (known.name.empty() && std::find(created.begin(), created.end(), name) == created.end()) {
      created.push_back(name);
    }
    if (!known.name.empty() && known.name != name) renamed[known.name] = name;
    // A new relfilenode: the table was rewritten (or truncated). A table not seen before was
    // created since the last snapshot, with relfilenode = oid.
    std::uint32_t was = known.name.empty() ? l.oid : known.relfilenode;
    if (l.relfilenode != 0 && l.relfilenode != was &&
        std::find(st.rewrites.begin(), st.rewrites.end(), name) == st.rewrites.end()) {
      st.rewrites.push_back(name);
    }
    rels_[l.oid] = {name, kind, l.relfilenode};
  }
  std::sort(st.locks.begin(), st.locks.end(), [](const auto& a, const auto& b) {
    return std::tie(a.relation, a.mode) < std::tie(b.relation, b.mode);
  });
  prev_ = observed->locks;
  scripts_.back().statements.push_back(std::move(st));
  scripts_.back().created.push_back(std::move(created));
  scripts_.back().renamed.push_back(std::move(renamed));
}

Result<LockObserver::Linted> LockObserver::LintAll(const Options& options, int pg_major) {
  STRATA_ASSIGN_OR_RETURN(lint::LintConfig config, lint::LoadLintConfig(options));
  config.pg_version = pg_major;
  config.pg_version_source = "live";
  Linted out;
  STRATA_ASSIGN_OR_RETURN(out.inputs, lint::LoadInputs(options.locations, options.ignore_patterns));
  // Files parsed on the other cores (the result does not depend on it): in a warm run, which
  // applies one migration, this lint is most of the time.
  int jobs = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  out.result = lint::Lint(out.inputs, config, nullptr, jobs);
  return out;
}

void LockObserver::StartLint(const Options& options, int pg_major) {
  if (linting_.valid()) return;
  lint_major_ = pg_major;
  linting_ =
      std::async(std::launch::async, [options, pg_major] { return LintAll(options, pg_major); });
}

LockObserver::~LockObserver() {
  if (linting_.valid()) linting_.wait();
}

void LockObserver::AddGateLint(std::shared_ptr<const engine::GateLint> gate) {
  if (gate) gates_.push_back(std::move(gate));
}

Status LockObserver::Finish(const Options& options, int pg_major, TestResult& r) {
  // The analyzer's prediction of each migration, by script: the gates' lints first.
  struct Prediction {
    const lint::MigrationReport* report = nullptr;
    std::string sha256;
  };
  std::map<std::string, Prediction> by_script;
  for (const auto& g : gates_) {
    if (g->result.pg_version != pg_major) continue;
    const auto& reports = g->result.migrations;
    for (size_t i = 0; i < g->scripts.size() && i < reports.size(); ++i) {
      if (reports[i].path == g->paths[i]) by_script[g->scripts[i]] = {&reports[i], g->checksums[i]};
    }
  }
  bool covered = true;
  for (const auto& sc : scripts_) {
    if (!sc.statements.empty() && !by_script.count(sc.name)) covered = false;
  }
  // Otherwise (no gate, a change file's start phase, another server version): the files.
  std::optional<Result<Linted>> started;
  if (linting_.valid()) started = linting_.get();
  if (!covered) {
    if (!started || lint_major_ != pg_major) started = LintAll(options, pg_major);
    linted_files_ = true;
    STRATA_TRY(started->status());
    by_script.clear();
    const auto& inputs = (*started)->inputs;
    const lint::LintResult& lr = (*started)->result;
    for (size_t i = 0; i < inputs.size() && i < lr.migrations.size(); ++i) {
      by_script[inputs[i].script] = {&lr.migrations[i], base::Sha256Hex(inputs[i].text)};
    }
  }
  // The tables the database has or had.
  std::set<std::string> ever;
  for (const auto& [oid, rel] : rels_) ever.insert(lint::RelationKey(rel.name));
  for (auto& sc : scripts_) {
    if (sc.statements.empty()) continue;
    ObservedMigration om;
    om.script = sc.name;
    auto it = by_script.find(sc.name);
    const lint::MigrationReport* mr = nullptr;
    if (it != by_script.end()) {
      om.sha256 = it->second.sha256;
      mr = it->second.report;
      // The analyzer splits with PostgreSQL's parser, the engine with psql's rules: compare
      // only when both see the same statements.
      if (mr->statements.size() != static_cast<size_t>(sc.statement_count)) mr = nullptr;
    }
    for (size_t si = 0; si < sc.statements.size(); ++si) {
      auto& st = sc.statements[si];
      r.observed_statements++;
      if (!mr || st.index >= static_cast<int>(mr->statements.size())) continue;
      const lint::StatementReport& pred = mr->statements[static_cast<size_t>(st.index)];
      st.line = pred.line;
      std::map<std::string, RelLocks> locks;  // by model key
      std::map<std::string, std::string> names;
      for (const auto& l : st.locks) {
        std::string key = lint::RelationKey(l.relation);
        names[key] = l.relation;
        auto mode = lint::LockModeFromName(l.mode);
        (l.acquired ? locks[key].acquired : locks[key].held_before).insert(mode);
      }
      // Tables the database has or had (`ever`), but not those this statement created, and the
      // new names of those it renamed.
      std::set<std::string> created_now, renamed_to;
      auto known = [&](const std::string& key) {
        return (ever.count(key) && !created_now.count(key)) || renamed_to.count(key);
      };
      // A table the statement created is seen by no other session: its locks block nothing.
      for (const auto& c : sc.created[si]) {
        locks.erase(lint::RelationKey(c));
        created_now.insert(lint::RelationKey(c));
      }
      auto finding = [&](const std::string& rel, std::string what, std::string predicted,
                         std::string observed) {
        r.lock_findings.push_back({mr->path, pred.line, st.index + 1,
                                   names.count(rel) ? names[rel] : rel, std::move(what),
                                   std::move(predicted), std::move(observed)});
      };
      // Predicted lock on a table against what the statement took there.
      std::set<std::string> predicted_rels;
      // The analyzer names a table the statement renames by its old name.
      std::map<std::string, std::string> alias;
      for (const auto& [from, to] : sc.renamed[si]) {
        alias[lint::RelationKey(from)] = lint::RelationKey(to);
        renamed_to.insert(lint::RelationKey(to));
      }
      auto compare = [&](const std::string& table, const std::string& mode_name) {
        std::string key = lint::RelationKey(table);
        if (auto a = alias.find(key); a != alias.end()) key = a->second;
        predicted_rels.insert(key);
        LockMode p = lint::LockModeFromName(mode_name);
        auto lk = locks.find(key);
        if (lk == locks.end()) {
          if (p != LockMode::kNone && known(key)) {
            finding(key, "lock", mode_name.empty() ? "none" : mode_name, "none");
          }
          return;
        }
        const RelLocks& l = lk->second;
        bool seen = l.acquired.count(p) || l.held_before.count(p);
        if ((seen && l.MaxAcquired() > p) || (!seen && p != l.MaxAcquired())) {
          finding(key, "lock", p == LockMode::kNone ? "none" : mode_name, Describe(l));
        }
      };
      if (!pred.target.empty()) compare(pred.target, pred.lock);
      for (const auto& o : pred.other_locks) {
        size_t on = o.rfind(" on ");
        if (on != std::string::npos) compare(o.substr(on + 4), o.substr(0, on));
      }
      // Locks that block writes on tables the analyzer did not name.
      for (const auto& [key, l] : locks) {
        if (predicted_rels.count(key) || l.MaxAcquired() < LockMode::kShare) continue;
        finding(key, "lock", "none", Describe(l));
      }
      // Rewrites. TRUNCATE gives a table a new, empty file: not a rewrite.
      if (pred.kind != "truncate") {
        std::set<std::string> rewritten;
        for (const auto& rw : st.rewrites) rewritten.insert(lint::RelationKey(rw));
        std::string target = pred.target.empty() ? "" : lint::RelationKey(pred.target);
        if (auto a = alias.find(target); a != alias.end()) target = a->second;
        if (!target.empty() && known(target) && pred.rewrite != rewritten.count(target)) {
          finding(target, "rewrite", pred.rewrite ? "rewrite" : "no rewrite",
                  rewritten.count(target) ? "rewrite" : "no rewrite");
        }
        for (const auto& key : rewritten) {
          if (key != target) finding(key, "rewrite", "no rewrite", "rewrite");
        }
      }
    }
    om.statements = sc.statements;
    r.trace.push_back(std::move(om));
  }
  return Status::Ok();
}

}  // namespace strata::scratch
